#!/usr/bin/env bash
# Runs the ClearML SDK compatibility suite against a freshly started Cairn server.
# Usage (from anywhere): bash tests/compat/run.sh [pytest args...]
#   e.g. bash tests/compat/run.sh -k training -x
# Needs: python3 (3.11), access to PyPI the first time, and a built server
# (npm run build -> packages/cli/dist/main.js).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
REQ="$HERE/requirements.txt"
STAMP="$VENV/.requirements.sha256"
PYTHON_BIN="${PYTHON:-python3}"

if [ ! -f "$ROOT/packages/cli/dist/main.js" ]; then
  echo "compat: the server is not built ($ROOT/packages/cli/dist/main.js is missing)." >&2
  echo "compat: run 'npm run build' in $ROOT first." >&2
  exit 1
fi

want="$( (cat "$REQ"; "$PYTHON_BIN" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ ! -x "$VENV/bin/python" ] || [ "$want" != "$have" ]; then
  echo "compat: preparing $VENV (requirements changed or venv missing)" >&2
  rm -rf "$VENV"
  if ! "$PYTHON_BIN" -m venv "$VENV"; then
    echo "compat: '$PYTHON_BIN -m venv' failed; on Debian/Ubuntu install python3-venv" >&2
    exit 1
  fi
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQ"
  echo "$want" > "$STAMP"
fi

cd "$ROOT"
export PYTHONDONTWRITEBYTECODE=1
# run the whole suite unless a test path (file, folder or node id) is given
targets=("$HERE")
for a in "$@"; do
  case "$a" in
    -*) ;;
    *) if [ -e "${a%%::*}" ]; then targets=(); break; fi ;;
  esac
done
exec "$VENV/bin/python" -m pytest "${targets[@]}" -q "$@"
