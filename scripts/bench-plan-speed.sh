#!/usr/bin/env bash
# The plan-speed benchmark (docs/bench.md, "Plan speed"): end-to-end
# `seam plan` (load the desired-state file + inspect the live database + diff
# + plan + write the plan file) for 100, 1,000, 5,000 and 10,000 tables, next
# to `@pgkit/migra` diffing the same pair of databases, in one run: wall time,
# CPU time and peak RSS of each process (GNU time), ratios, and time per table
# (is it linear?). The pairs are the diff benchmark's: `seam_bench_gen N` and
# `seam_bench_gen N --changed`.
#
#   bash scripts/bench-plan-speed.sh
#   bash scripts/bench-plan-speed.sh --tables 100,1000 --repeat 5 --out /tmp/plan-speed.md
#
# Options: --tables N,N (default 100,1000,5000,10000), --repeat R (runs per
# tool for sizes up to --large, default 3), --large N (default 5000: from this
# size on, --repeat-large runs, default 1), --migra-timeout S (default 3600;
# a run over it is reported as such), --migra-heap-mb MB (node's heap limit
# for migra, default 16384: with node's default of about 4 GB migra runs out
# of memory at 10,000 tables; 0 = node's default), --seed S, --out FILE, --keep.
# Installs migra (scripts/install-bench-tools.sh), builds seam and
# seam_bench_gen into build-bench/ (SEAM_BENCH_BUILD_DIR), starts its own
# embedded PostgreSQL 15 with `seam dev`. Needs /usr/bin/time (Debian `time`).
# SEAM_BENCH_NO_BUILD=1: use the binaries already built there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

tables="100 1000 5000 10000" repeat=3 large=5000 repeat_large=1 migra_timeout=3600 migra_heap=16384 seed=1 out="" keep=0
cmdline="bash scripts/bench-plan-speed.sh $*"
while [[ $# -gt 0 ]]; do
  case $1 in
    --tables) tables=${2//,/ }; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --repeat-large) repeat_large=$2; shift 2 ;;
    --migra-timeout) migra_timeout=$2; shift 2 ;;
    --migra-heap-mb) migra_heap=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench-plan-speed: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in $tables $repeat $large $repeat_large $migra_timeout $migra_heap $seed; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "bench-plan-speed: '$n' is not a non-negative integer" >&2; exit 2; }
done
out=${out:-bench/results/plan-speed.md}
[[ -x /usr/bin/time ]] || { echo "bench-plan-speed: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
log() { echo "bench-plan-speed: $(date +%T) $*" >&2; }

PG=/usr/lib/postgresql/15/bin
migra=$(bash scripts/install-bench-tools.sh | tail -n 1)
dir=${SEAM_BENCH_BUILD_DIR:-build-bench}
generator=()
if command -v ninja >/dev/null; then
  [[ -f $dir/CMakeCache.txt ]] || generator=(-G Ninja)
fi
# SEAM_BENCH_NO_BUILD=1 uses the binaries already in the build directory.
if [[ ${SEAM_BENCH_NO_BUILD:-0} != 1 ]]; then
  cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$dir" -j2 --target seam seam_bench_gen >&2
fi
[[ $dir == /* ]] || dir=$root/$dir
seam=$dir/seam
gen=$dir/bench/seam_bench_gen

work=$(mktemp -d /tmp/seam-bench-plan.XXXXXX)
"$seam" dev --pg-bin "$PG" >"$work/dev.url" 2>"$work/dev.log" &
dev_pid=$!
cleanup() {
  kill -TERM "$dev_pid" 2>/dev/null && wait "$dev_pid" 2>/dev/null
  if [[ $keep == 0 ]]; then rm -rf "$work"; else log "kept $work"; fi
}
trap cleanup EXIT
for _ in $(seq 1 600); do [[ -s $work/dev.url ]] && break; sleep 0.1; done
[[ -s $work/dev.url ]] || { cat "$work/dev.log" >&2; exit 1; }
admin=$(head -n 1 "$work/dev.url")
url_for() { echo "${admin%/postgres}/$1"; }
psql_admin() { "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin" "$@"; }

{
  echo "command=$cmdline"
  echo "tables=$tables"
  echo "repeat=$repeat"
  echo "large=$large"
  echo "repeat_large=$repeat_large"
  echo "seed=$seed"
  echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "mem=$(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "server=$(psql_admin -At -c 'SELECT version()')"
  echo "migra=@pgkit/migra $(sed -n 's/.*"@pgkit\/migra": *"\([^"]*\)".*/\1/p' bench/migra/package.json | head -n1), node $(node --version)"
  echo "seam=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (working tree with uncommitted changes)'), $(grep -m1 CMAKE_BUILD_TYPE: "$dir/CMakeCache.txt" 2>/dev/null | cut -d= -f2)"
} >"$work/meta"

# measure NAME TIMEOUT CMD...: one run under GNU time; appends
# "NAME wall user sys maxrss_kb exit" to $work/samples.
measure() {
  local name=$1 limit=$2 rc=0
  shift 2
  /usr/bin/time -f '%e %U %S %M' -o "$work/time.out" timeout "$limit" "$@" || rc=$?
  echo "$name $(tail -n 1 "$work/time.out") $rc" >>"$work/samples"
}

if [[ $migra_heap != 0 ]]; then
  export NODE_OPTIONS="--max-old-space-size=$migra_heap"
fi
echo "migra_heap=$migra_heap" >>"$work/meta"

# Runs once first, untimed: node's modules and seam's binary into the page cache.
"$migra" --help >/dev/null 2>&1 || true
for n in $tables; do
  log "$n tables: generating and loading the pair"
  "$gen" "$n" --seed "$seed" >"$work/from-$n.sql"
  "$gen" "$n" --seed "$seed" --changed --stats >"$work/to-$n.sql" 2>"$work/stats-$n.txt"
  for side in from to; do
    psql_admin -c "DROP DATABASE IF EXISTS ${side}_$n" -c "CREATE DATABASE ${side}_$n"
    "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url_for "${side}_$n")" -f "$work/$side-$n.sql" >/dev/null
  done
  "$PG/psql" -X -q -d "$(url_for "from_$n")" -c "VACUUM ANALYZE" 2>/dev/null || true
  # Warm-up, untimed: the server's catalog caches and the page cache.
  "$seam" plan --db "$(url_for "from_$n")" --schema "$work/to-$n.sql" --out "$work/plan-$n.yaml" --no-warnings
  runs=$repeat
  ((n >= large)) && runs=$repeat_large
  for i in $(seq 1 "$runs"); do
    log "$n tables: run $i/$runs: seam plan"
    measure "seam-$n" 3600 "$seam" plan --db "$(url_for "from_$n")" --schema "$work/to-$n.sql" \
      --out "$work/plan-$n.yaml" --no-warnings
    log "$n tables: run $i/$runs: migra"
    measure "migra-$n" "$migra_timeout" sh -c "exec \"\$0\" \"\$1\" \"\$2\" --unsafe >\"\$3\" 2>\"\$3.err\"" \
      "$migra" "$(url_for "from_$n")" "$(url_for "to_$n")" "$work/migra-$n.sql"
  done
  echo "steps-$n $(grep -c '^ *- id:' "$work/plan-$n.yaml" || true)" >>"$work/counts"
  echo "migra-statements-$n $(grep -c ';[[:space:]]*$' "$work/migra-$n.sql" || true)" >>"$work/counts"
  echo "changes-$n $(tail -n 1 "$work/stats-$n.txt")" >>"$work/counts"
  for side in from to; do psql_admin -c "DROP DATABASE IF EXISTS ${side}_$n"; done
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/meta"
echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$work/meta"

mkdir -p "$(dirname "$out")"
python3 bench/plan_speed_report.py "$work" --out "$out"
log "report: $out"
