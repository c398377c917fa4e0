#!/usr/bin/env bash
# Prints the path of a Python that has the real clearml SDK and clearml-agent: the venv
# tests/compat/.venv, (re)made from requirements.txt when it is missing or the
# requirements (or the interpreter) changed. Suites that run side by side share it, so
# preparing it holds a lock.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
REQ="$HERE/requirements.txt"
STAMP="$VENV/.requirements.sha256"
PYTHON_BIN="${PYTHON:-python3}"

exec 9>"$HERE/.venv.lock"
flock 9
want="$( (cat "$REQ"; "$PYTHON_BIN" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ ! -x "$VENV/bin/python" ] || [ "$want" != "$have" ]; then
  echo "tests: preparing $VENV (requirements changed or venv missing)" >&2
  rm -rf "$VENV"
  if ! "$PYTHON_BIN" -m venv "$VENV" >&2; then
    echo "tests: '$PYTHON_BIN -m venv' failed; on Debian/Ubuntu install python3-venv" >&2
    exit 1
  fi
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQ" >&2
  echo "$want" > "$STAMP"
fi
echo "$VENV/bin/python"
