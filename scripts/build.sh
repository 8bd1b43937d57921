#!/usr/bin/env bash
# Configures and builds seam into build/ (Ninja when available), two jobs.
#   bash scripts/build.sh [extra cmake --build args, e.g. --target seam]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

generator=()
if command -v ninja >/dev/null; then
  # An existing build/ keeps the generator it was configured with.
  [[ -f build/CMakeCache.txt ]] || generator=(-G Ninja)
fi
start=$SECONDS
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}"
cmake --build build -j2 "$@"
echo "build: done in $((SECONDS - start)) s"
