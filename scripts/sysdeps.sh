#!/usr/bin/env bash
# Installs the system libraries Pathway needs when they are missing (Debian):
# Pango for WeasyPrint, and libharfbuzz-subset0, without which WeasyPrint falls
# back to a font subsetter about 8x slower.
set -euo pipefail

# One at a time: CI runs the SQLite and PostgreSQL suites side by side, and each asks
# for its set-up; the second waits here, then finds nothing missing.
exec 9>"${TMPDIR:-/tmp}/pathway-sysdeps.lock"
flock 9

missing=()
# Read once into a variable: `ldconfig -p | grep -q` under pipefail fails at random when
# grep stops reading before ldconfig has written everything (it dies of SIGPIPE), and a
# library that is there is then taken to be missing.
libs="$(ldconfig -p 2>/dev/null || true)"
have_lib() { grep -q "$1" <<<"$libs"; }
have_lib "libpango-1.0.so.0" || missing+=(libpango-1.0-0)
have_lib "libpangoft2-1.0.so.0" || missing+=(libpangoft2-1.0-0)
have_lib "libharfbuzz-subset.so.0" || missing+=(libharfbuzz-subset0)
command -v node >/dev/null || missing+=(nodejs npm)
# Certificates and reports are set in fonts the system provides (no downloads).
# (Read once into a variable: `fc-list | grep -q` under pipefail fails when grep stops reading early.)
fonts="$(fc-list 2>/dev/null || true)"
grep -q "Liberation Sans" <<<"$fonts" || missing+=(fonts-liberation)
grep -q "DejaVu Sans" <<<"$fonts" || missing+=(fonts-dejavu-core)
[ -d /usr/lib/postgresql ] || missing+=(postgresql)
# Browser journeys run in Debian's Chromium (no browser is downloaded at run time).
command -v chromium >/dev/null || missing+=(chromium)
# Tests read certificates back as a person would: rasterised (poppler) and their QR code scanned (zbar).
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
# The shared rate limits and the Redis queue are tested against a throw-away redis-server.
command -v redis-server >/dev/null || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "Please install: ${missing[*]}" >&2
  exit 1
fi
# Another apt (the machine's own updates) may hold apt's locks for a while: wait for it.
apt_get() {
  for attempt in $(seq 30); do
    if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 "$@"; then
      return 0
    fi
    echo "apt-get $1 failed (attempt $attempt); trying again in 10 s" >&2
    sleep 10
  done
  return 1
}
apt_get update -qq
apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
