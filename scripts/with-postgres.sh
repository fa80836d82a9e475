#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL cluster on a loopback port:
#   scripts/with-postgres.sh pytest
# The cluster runs as the `postgres` OS user when started as root (PostgreSQL
# refuses to run as root), and is stopped and removed when the command ends.
set -euo pipefail

PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL server binaries not found (install the postgresql package)" >&2
  exit 1
fi
WORK="$(mktemp -d /tmp/pathway-pg.XXXXXX)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
mkdir -p "$WORK/socket"
if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$WORK"; fi

stop() {
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop EXIT

as_pg "$PGBIN/initdb" -D "$WORK/data" -U pathway --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U pathway pathway_test

export DATABASE_URL="postgresql+psycopg://pathway@127.0.0.1:$PORT/pathway_test"
echo "PostgreSQL on 127.0.0.1:$PORT"
"$@"
