#!/usr/bin/env bash
# Serve the demo on a spare port and screenshot the main pages for each role.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="sqlite:///$(pwd)/instance/screenshots.db"
rm -f instance/screenshots.db*
.venv/bin/flask --app wsgi db upgrade >/dev/null
.venv/bin/flask --app wsgi demo >/dev/null
export QUEUE_URL="sqlite:///$(pwd)/instance/screenshots-jobs.db"
rm -f instance/screenshots-jobs.db*
.venv/bin/flask --app wsgi worker >/tmp/pathway-screenshots-worker.log 2>&1 &
worker=$!
.venv/bin/flask --app wsgi run --port 5077 >/tmp/pathway-screenshots.log 2>&1 &
server=$!
trap 'kill $server $worker' EXIT
sleep 2
.venv/bin/python scripts/screenshots.py http://127.0.0.1:5077 test-artifacts/screenshots
echo "Screenshots in test-artifacts/screenshots/"
