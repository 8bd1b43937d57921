#!/usr/bin/env bash
# Installs the baselines the benchmarks compare seam with (docs/bench.md) that
# Debian does not ship: @pgkit/migra (npm, a TypeScript port of migra) for the
# diff benchmark, pinned with every dependency by bench/migra/package-lock.json,
# and gnuplot (Debian) for the zero-downtime benchmark's plots.
# Idempotent: does nothing when the cache already holds this exact lock file.
#
#   bash scripts/install-bench-tools.sh        # -> $SEAM_BENCH_TOOLS/npm-migra
#   SEAM_BENCH_TOOLS=/somewhere bash scripts/install-bench-tools.sh
#
# Prints the path of the migra executable on its last line. Needs node and npm
# (scripts/install-deps.sh installs them when the machine has none).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$here/../bench/migra"
root=${SEAM_BENCH_TOOLS:-/var/cache/seam}
dest="$root/npm-migra"

# gnuplot (Debian's gnuplot-nox) draws the zero-downtime benchmark's plots.
if ! dpkg -s gnuplot-nox >/dev/null 2>&1 && ! command -v gnuplot >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gnuplot-nox >&2
  else
    echo "install-bench-tools: gnuplot is missing; as root: apt-get install gnuplot-nox" >&2
  fi
fi

command -v npm >/dev/null || { echo "install-bench-tools: npm is missing; run scripts/install-deps.sh" >&2; exit 1; }

bin="$dest/node_modules/.bin/migra"
if [[ -x "$bin" ]] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
  echo "$bin"
  exit 0
fi

mkdir -p "$dest"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
# npm ci installs exactly what the lock file names (and fails if it cannot);
# no install scripts run.
(cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
[[ -x "$bin" ]] || { echo "install-bench-tools: npm ci did not produce $bin" >&2; exit 1; }
echo "$bin"
