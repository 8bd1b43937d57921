#!/usr/bin/env bash
# Builds the benchmarks into build-bench/ (RelWithDebInfo, the project's
# default, unless CMAKE_BUILD_TYPE says otherwise) and runs the foundation
# benchmark with its defaults: 1,000 and 5,000 tables, 3 runs each, results
# on stdout and in bench/results/foundation.md. See docs/bench.md.
#   bash scripts/bench.sh [seam_bench_foundation args, e.g. --tables 2000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dir=${SEAM_BENCH_BUILD_DIR:-build-bench}
generator=()
if command -v ninja >/dev/null; then
  [[ -f $dir/CMakeCache.txt ]] || generator=(-G Ninja)
fi
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$dir" -j2 --target seam_bench_foundation seam_bench_gen
exec "$dir/bench/seam_bench_foundation" "$@"
