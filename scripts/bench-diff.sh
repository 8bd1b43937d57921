#!/usr/bin/env bash
# The diff benchmark (docs/bench.md, "Diff"): seam vs @pgkit/migra on the same
# pairs of databases, in one run. Installs the pinned migra
# (scripts/install-bench-tools.sh), builds seam and the benchmark into
# build-bench/ (RelWithDebInfo unless CMAKE_BUILD_TYPE says otherwise) and runs
# it with its defaults: pairs of 1,000 and 5,000 tables, 3 runs each, one
# throwaway embedded PostgreSQL; results on stdout and in
# bench/results/diff.md.
#   bash scripts/bench-diff.sh [seam_bench_diff args, e.g. --tables 2000 --repeat 5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

migra=$(bash scripts/install-bench-tools.sh | tail -n 1)

dir=${SEAM_BENCH_BUILD_DIR:-build-bench}
generator=()
if command -v ninja >/dev/null; then
  [[ -f $dir/CMakeCache.txt ]] || generator=(-G Ninja)
fi
cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$dir" -j2 --target seam seam_bench_diff seam_bench_gen
SEAM_MIGRA=$migra exec "$dir/bench/seam_bench_diff" "$@"
