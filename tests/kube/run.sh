#!/usr/bin/env bash
# The Kubernetes suite: starts the local control plane of shared/kube once (building it
# on a machine's first run, ~20 min; later starts take seconds: the binaries are cached
# in ~/.cache/kube-local), runs tests/kube/*.test.mjs against it, and stops it.
# Usage: bash tests/kube/run.sh [test files...]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SHARED="${CAIRN_SHARED:-$ROOT/../shared}"
STATE="${KUBE_LOCAL_STATE:-$ROOT/.kube-local}"
if [ ! -f "$SHARED/kube/up" ]; then
  echo "kube tests: $SHARED/kube/up is missing: the suite needs shared/kube beside the repository (or CAIRN_SHARED)" >&2
  exit 1
fi
export KUBE_LOCAL_HELM=1 KUBE_LOCAL_STATE="$STATE" CAIRN_SHARED="$SHARED"
# the real ClearML glue drives kubectl: build one where the machine has none
command -v kubectl >/dev/null || export KUBE_LOCAL_BUILD_KUBECTL=1
eval "$(bash "$SHARED/kube/up" "$STATE")"
trap 'bash "$SHARED/kube/down" "$STATE" >/dev/null 2>&1 || true' EXIT
cd "$ROOT"
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/kube/*.test.mjs)
node --test --test-reporter=spec "${files[@]}"
