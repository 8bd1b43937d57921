#!/usr/bin/env bash
# Everything CI does: dependencies, the other PostgreSQL majors, the build, and
# every test (unit and integration, the latter against real servers).
#   bash scripts/test.sh [extra ctest args, e.g. -L unit]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() {  # step NAME COMMAND... : runs and reports how long it took
  local name=$1 start=$SECONDS
  shift
  echo "== $name"
  "$@"
  echo "== $name: $((SECONDS - start)) s"
}

if [[ $(id -u) -eq 0 ]]; then
  step install-deps bash scripts/install-deps.sh
  step install-pg-versions bash scripts/install-pg-versions.sh
else
  echo "== not root: skipping install-deps / install-pg-versions (run them as root once)"
fi
step build bash scripts/build.sh
step ctest ctest --test-dir build -j2 --output-on-failure "$@"
