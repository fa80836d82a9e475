#!/usr/bin/env bash
# Runs a command against a throw-away redis-server on a loopback port:
#   scripts/with-redis.sh pytest -m redis
# REDIS_URL names it; it is stopped and its directory removed when the command ends.
set -euo pipefail

REDIS_SERVER="${REDIS_SERVER:-$(command -v redis-server || true)}"
if [ -z "$REDIS_SERVER" ]; then
  echo "redis-server not found (install the redis-server package: make does it)" >&2
  exit 1
fi
WORK="$(mktemp -d /tmp/pathway-redis.XXXXXX)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop() {
  if [ -f "$WORK/redis.pid" ]; then kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true; fi
  sleep 0.2
  rm -rf "$WORK"
}
trap stop EXIT

# No persistence: nothing outlives the run.
"$REDIS_SERVER" --bind 127.0.0.1 --port "$PORT" --dir "$WORK" --save "" --appendonly no \
  --daemonize yes --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log"
for _ in $(seq 50); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2).close()" 2>/dev/null; then break; fi
  sleep 0.1
done

export REDIS_URL="redis://127.0.0.1:$PORT/0"
echo "Redis on 127.0.0.1:$PORT"
"$@"
