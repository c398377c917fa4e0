#!/usr/bin/env bash
# Prints the path of a Python that has the real clearml SDK: the compatibility suite's
# venv (tests/compat/.venv), made the same way tests/compat/run.sh makes it when it is
# missing or its requirements changed, so that both suites share one venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMPAT="$ROOT/tests/compat"
VENV="$COMPAT/.venv"
REQ="$COMPAT/requirements.txt"
STAMP="$VENV/.requirements.sha256"
PYTHON_BIN="${PYTHON:-python3}"

want="$( (cat "$REQ"; "$PYTHON_BIN" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ ! -x "$VENV/bin/python" ] || [ "$want" != "$have" ]; then
  echo "web tests: preparing $VENV (requirements changed or venv missing)" >&2
  rm -rf "$VENV"
  if ! "$PYTHON_BIN" -m venv "$VENV" >&2; then
    echo "web tests: '$PYTHON_BIN -m venv' failed; on Debian/Ubuntu install python3-venv" >&2
    exit 1
  fi
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQ" >&2
  echo "$want" > "$STAMP"
fi
echo "$VENV/bin/python"
