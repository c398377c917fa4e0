#!/usr/bin/env bash
# Runs the ClearML SDK compatibility suite against a freshly started Cairn server.
# Usage (from anywhere): bash tests/compat/run.sh [pytest args...]
#   e.g. bash tests/compat/run.sh -k training -x
# Needs: python3 (3.11), access to PyPI the first time, and a built server
# (npm run build -> packages/cli/dist/main.js).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if [ ! -f "$ROOT/packages/cli/dist/main.js" ]; then
  echo "compat: the server is not built ($ROOT/packages/cli/dist/main.js is missing)." >&2
  echo "compat: run 'npm run build' in $ROOT first." >&2
  exit 1
fi

PYTHON_VENV="$(bash "$HERE/venv.sh")"

cd "$ROOT"
export PYTHONDONTWRITEBYTECODE=1
# run the whole suite unless a test path (file, folder or node id) is given; the whole
# suite runs on COMPAT_WORKERS processes (default 3), a file's tests on one of them: most
# of its time is spent waiting for SDK processes and agents, not on the CPU
targets=("$HERE")
for a in "$@"; do
  case "$a" in
    -*) ;;
    *) if [ -e "${a%%::*}" ]; then targets=(); break; fi ;;
  esac
done
workers=()
if [ "${#targets[@]}" -gt 0 ] && [[ " $* " != *" -n "* ]]; then
  workers=(-n "${COMPAT_WORKERS:-3}" --dist loadfile)
fi
exec "$PYTHON_VENV" -m pytest "${targets[@]}" "${workers[@]}" -q "$@"
