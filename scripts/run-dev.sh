#!/usr/bin/env bash
# The development server and the background job worker, stopped together.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/flask --app wsgi worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
.venv/bin/flask --app wsgi run --host 127.0.0.1 --port "${PORT:-5000}"
