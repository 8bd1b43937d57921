#!/usr/bin/env bash
# The zero-downtime benchmark (docs/bench.md, "Zero downtime"): a fixed-rate
# foreground workload (pgbench: point reads and updates of the table being
# migrated, and inserts) runs through HAProxy of the staging cluster
# (scripts/staging: etcd, 3 Patroni nodes, PostgreSQL 15) while a table of N
# rows is migrated by
#   migra           the plain SQL @pgkit/migra emits for the change, run by psql
#   seam            seam's plan, `seam apply` with the plan's defaults
#   seam-throttled  the same with --max-rows-per-second
#   (seam-short-lock, only with --variants: --lock-timeout MS --max-retries 50)
# for six changes (bench/zero_downtime/schema.sh). Also: an idle baseline (the
# workload alone), a single UPDATE over the whole table (the physical
# reference for backfill rows/s) and seam's unthrottled backfills at smaller
# sizes (is the rate flat?). Checkpoints are approved automatically
# (`seam jobs approve`). bench/zero_downtime/analyze.py turns the logs into
# bench/results/zero-downtime.md and one PNG per change (gnuplot).
#
#   bash scripts/bench-zero-downtime.sh                 # N = 2,000,000 (the default)
#   bash scripts/bench-zero-downtime.sh --rows 500000
#   bash scripts/bench-zero-downtime.sh --quick         # smoke test: 20,000 rows, results in the work dir
#
# Options: --rows N, --flat-rows N,N ('' for none; default 100000),
#   --rate TPS (default 100), --clients C (4), --throttle ROWS_PER_S (10000),
#   --migrations a,b (default all six), --variants migra,seam,seam-throttled
#   (also seam-short-lock), --short-lock-timeout MS (50),
#   --idle S (60), --warm S (5), --cool S (5), --out FILE.md, --plots DIR,
#   --no-staging (use an embedded server from `seam dev` instead), --keep.
#
# Needs root or the staging packages (scripts/install-staging-deps.sh), node
# and npm (for migra), gnuplot (scripts/install-bench-tools.sh installs it),
# python3. SEAM_BENCH_BUILD_DIR picks the build directory (build-bench);
# SEAM_BENCH_NO_BUILD=1 uses the seam already built there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
# shellcheck source=../bench/zero_downtime/schema.sh
source bench/zero_downtime/schema.sh

rows=2000000 flat=100000 rate=100 clients=4 throttle=10000 short_lock=50 idle=60 warm=5 cool=5
migrations=$ZD_MIGRATIONS variants="migra seam seam-throttled" out="" plots="" staging=1 keep=0 quick=0
cmdline="bash scripts/bench-zero-downtime.sh $*"
while [[ $# -gt 0 ]]; do
  case $1 in
    --rows) rows=$2; shift 2 ;;
    --flat-rows) flat=${2//,/ }; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --throttle) throttle=$2; shift 2 ;;
    --short-lock-timeout) short_lock=$2; shift 2 ;;
    --migrations) migrations=${2//,/ }; shift 2 ;;
    --variants) variants=${2//,/ }; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --warm) warm=$2; shift 2 ;;
    --cool) cool=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --plots) plots=$2; shift 2 ;;
    --no-staging) staging=0; shift ;;
    --keep) keep=1; shift ;;
    --quick) quick=1 rows=20000 flat="" idle=10 warm=2 cool=2 throttle=5000; shift ;;
    -h | --help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "bench-zero-downtime: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in $rows $flat $rate $clients $throttle $short_lock $idle $warm $cool; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "bench-zero-downtime: '$n' is not a non-negative integer" >&2; exit 2; }
done

work=$(mktemp -d /tmp/seam-bench-zd.XXXXXX)
chmod 755 "$work"
# Quick runs are smoke tests: their report stays in the work directory.
if [[ $quick == 1 ]]; then
  out=${out:-$work/zero-downtime.md} plots=${plots:-$work}
  keep=1
fi
out=${out:-bench/results/zero-downtime.md}
plots=${plots:-bench/results}
log() { echo "bench-zero-downtime: $(date +%T) $*" >&2; }

# --- tools --------------------------------------------------------------------

PG=/usr/lib/postgresql/15/bin
migra=$(bash scripts/install-bench-tools.sh | tail -n 1)
command -v gnuplot >/dev/null || { echo "bench-zero-downtime: gnuplot is missing (scripts/install-bench-tools.sh installs it as root)" >&2; exit 1; }
dir=${SEAM_BENCH_BUILD_DIR:-build-bench}
generator=()
if command -v ninja >/dev/null; then
  [[ -f $dir/CMakeCache.txt ]] || generator=(-G Ninja)
fi
# SEAM_BENCH_NO_BUILD=1 uses the seam already built there.
if [[ ${SEAM_BENCH_NO_BUILD:-0} != 1 ]]; then
  cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$dir" -j2 --target seam >&2
fi
[[ $dir == /* ]] || dir=$root/$dir
seam=$dir/seam

# --- the cluster --------------------------------------------------------------

export SEAM_STAGING_DIR=${SEAM_BENCH_STAGING_DIR:-/tmp/seam-bench-zd-staging}
export SEAM_STAGING_PORT=${SEAM_BENCH_STAGING_PORT:-27700} SEAM_STAGING_NAME=szd SEAM_STAGING_SUBNET=10.213.81
dev_pid=""
cleanup() {
  set +e
  if [[ -n ${wl_pid:-} ]]; then kill "$wl_pid" 2>/dev/null; wait "$wl_pid" 2>/dev/null; fi
  if [[ $setup == staging ]]; then scripts/staging down >/dev/null 2>&1; fi
  if [[ -n $dev_pid ]]; then kill -TERM "$dev_pid" 2>/dev/null; wait "$dev_pid" 2>/dev/null; fi
  if [[ $keep == 0 ]]; then rm -rf "$work"; else log "kept $work"; fi
}
setup=""
trap cleanup EXIT

if [[ $staging == 1 ]]; then
  scripts/staging down >/dev/null 2>&1 || true
  log "starting the staging cluster (scripts/staging up) in $SEAM_STAGING_DIR"
  if scripts/staging up >"$work/staging-up.log" 2>&1; then
    setup=staging
    admin=$(scripts/staging url write)
  else
    log "scripts/staging up failed (see $work/staging-up.log); falling back to an embedded server"
    scripts/staging down >/dev/null 2>&1 || true
    keep=1
    staging=0
    echo "staging up failed: $(tail -n 3 "$work/staging-up.log" | tr '\n' ' ')" >"$work/fallback-reason"
  fi
fi
if [[ $staging == 0 ]]; then
  "$seam" dev --pg-bin "$PG" >"$work/dev.url" 2>"$work/dev.log" &
  dev_pid=$!
  for _ in $(seq 1 600); do [[ -s $work/dev.url ]] && break; sleep 0.1; done
  [[ -s $work/dev.url ]] || { cat "$work/dev.log" >&2; exit 1; }
  setup=embedded
  admin=$(head -n 1 "$work/dev.url")
fi
url_for() { echo "${admin%/postgres}/$1"; }  # both URL forms end in /postgres
psql_admin() { "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin" "$@"; }
psql_db() { local db=$1; shift; PGOPTIONS="-c client_min_messages=warning" "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url_for "$db")" "$@"; }
log "cluster: $setup, $admin"

# --- metadata -----------------------------------------------------------------

{
  echo "setup=$setup"
  echo "command=$cmdline"
  echo "rows=$rows"
  echo "flat=$flat"
  echo "rate=$rate"
  echo "clients=$clients"
  echo "throttle=$throttle"
  echo "short_lock=$short_lock"
  echo "idle=$idle"
  echo "warm=$warm"
  echo "cool=$cool"
  echo "migrations=$migrations"
  echo "variants=$variants"
  echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "mem=$(free -g | awk '/Mem:/ {print $2 " GiB"}')"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "kernel=$(uname -r)"
  echo "server=$(psql_admin -At -c 'SELECT version()')"
  echo "pgbench=$("$PG/pgbench" --version)"
  echo "psql=$("$PG/psql" --version)"
  echo "migra=@pgkit/migra $(sed -n 's/.*"@pgkit\/migra": *"\([^"]*\)".*/\1/p' bench/migra/package.json | head -n1), node $(node --version)"
  echo "seam=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (working tree with uncommitted changes)'), $(grep -m1 CMAKE_BUILD_TYPE: "$dir/CMakeCache.txt" | cut -d= -f2)"
  echo "gnuplot=$(gnuplot --version)"
  if [[ $setup == staging ]]; then
    echo "patroni=$(patroni --version 2>&1 | head -n1)"
    echo "haproxy=$(haproxy -v 2>&1 | head -n1)"
    echo "etcd=$(etcd --version 2>&1 | head -n1)"
    echo "netns=$(scripts/staging env | sed -n 's/^SEAM_STAGING_NETNS=//p')"
  fi
  [[ -f $work/fallback-reason ]] && echo "fallback=$(cat "$work/fallback-reason")"
} >"$work/meta"

# --- databases ----------------------------------------------------------------

# One template per size, copied for every run (STRATEGY FILE_COPY: a file
# copy instead of WAL-logging every block; the replicas copy the files too).
make_template() {  # make_template ROWS
  local db=zd_tpl_$1
  log "template $db: base schema, $1 rows"
  psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  zd_schema base >"$work/base.sql"
  "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url_for "$db")" -f "$work/base.sql"
  zd_populate_sql "$1" | "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url_for "$db")" >/dev/null
  psql_admin -c "CHECKPOINT"
}
fresh_db() {  # fresh_db ROWS -> database zd_run
  psql_admin -c "DROP DATABASE IF EXISTS zd_run WITH (FORCE)" \
    -c "CREATE DATABASE zd_run TEMPLATE zd_tpl_$1 STRATEGY FILE_COPY"
}
for m in $migrations; do
  zd_schema "$m" >"$work/want-$m.sql"
  psql_admin -c "DROP DATABASE IF EXISTS zd_want_${m//-/_} WITH (FORCE)" -c "CREATE DATABASE zd_want_${m//-/_}"
  "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url_for "zd_want_${m//-/_}")" -f "$work/want-$m.sql"
done

# --- the workload -------------------------------------------------------------

wl_pid=""
now() { date +%s.%N; }
start_workload() {  # start_workload RUNDIR ROWS
  mkdir -p "$1"
  (cd "$1" && exec "$PG/pgbench" -n -c "$clients" -j 2 -T 86400 -R "$rate" -l --log-prefix=wl \
    -D maxid="$2" -f "$root/bench/zero_downtime/read.sql@5" -f "$root/bench/zero_downtime/update.sql@3" \
    -f "$root/bench/zero_downtime/insert.sql@2" "$(url_for zd_run)" >pgbench.out 2>&1) &
  wl_pid=$!
  echo "workload_start $(now)" >>"$1/marks"
  sleep "$warm"
}
# Ends pgbench by terminating its sessions: its clients abort, and pgbench
# closes its per-transaction logs and exits. Clients lost before that (an
# error mid-migration aborts a pgbench client) are counted.
stop_workload() {  # stop_workload RUNDIR
  sleep "$cool"
  local alive
  alive=$(psql_admin -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgbench' AND datname = 'zd_run'")
  echo "clients_alive_at_end $alive" >>"$1/marks"
  echo "workload_end $(now)" >>"$1/marks"
  psql_admin -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pgbench' AND datname = 'zd_run'" >/dev/null
  wait "$wl_pid" || true
  wl_pid=""
}

# --- one run ------------------------------------------------------------------

run_seam() {  # run_seam RUNDIR [apply options]
  local d=$1 job state
  shift
  while :; do
    "$seam" apply "$d/plan.yaml" --db "$(url_for zd_run)" --log-format json "$@" >>"$d/apply.jsonl" 2>>"$d/apply.err" ||
      { echo "status failed: seam apply exited $? ($(tail -n 1 "$d/apply.err"))" >>"$d/marks"; return 0; }
    job=$(tail -n 1 "$d/apply.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"])')
    state=$(tail -n 1 "$d/apply.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    case $state in
      done) return 0 ;;
      awaiting-approval)
        echo "approve $(now)" >>"$d/marks"
        "$seam" jobs approve "$job" --db "$(url_for zd_run)" >>"$d/apply.err" 2>&1 ;;
      *) echo "status failed: job $job is $state" >>"$d/marks"; return 0 ;;
    esac
  done
}

run_one() {  # run_one SIZE MIGRATION VARIANT
  local size=$1 m=$2 v=$3 d="$work/runs/$1/$2/$3"
  mkdir -p "$d"
  log "run: $size rows, $m, $v"
  fresh_db "$size"
  local want
  want="$work/want-$m.sql"
  case $v in
    migra)
      "$migra" "$(url_for zd_run)" "$(url_for "zd_want_${m//-/_}")" --unsafe >"$d/migra.sql" 2>"$d/migra.err" || true
      grep -qi '[a-z]' "$d/migra.sql" || { echo "bench-zero-downtime: migra printed nothing for $m (see $d/migra.err)" >&2; exit 1; }
      ;;
    seam | seam-throttled | seam-short-lock)
      "$seam" plan --db "$(url_for zd_run)" --schema "$want" --out "$d/plan.yaml" --no-warnings
      ;;
  esac
  start_workload "$d" "$size"
  echo "migration_start $(now)" >>"$d/marks"
  case $v in
    migra)
      "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url_for zd_run)" -f "$d/migra.sql" >"$d/psql.out" 2>&1 ||
        echo "status failed: psql exited $?" >>"$d/marks" ;;
    seam) run_seam "$d" ;;
    seam-throttled) run_seam "$d" --max-rows-per-second "$throttle" ;;
    seam-short-lock) run_seam "$d" --lock-timeout "$short_lock" --max-retries 50 ;;
  esac
  echo "migration_end $(now)" >>"$d/marks"
  stop_workload "$d"
  if [[ $v != migra ]]; then
    "$PG/psql" -X -At -F $'\t' -d "$(url_for zd_run)" -c "SELECT s.step_id, s.phase, s.kind,
        extract(epoch FROM s.started_at), extract(epoch FROM s.finished_at), coalesce(b.rows_done, -1)
      FROM seam.steps s LEFT JOIN seam.backfill_progress b USING (job_id, step_id)
      ORDER BY s.job_id, s.position" >"$d/steps.tsv" 2>>"$d/apply.err" || true
    psql_db zd_run -c "DROP SCHEMA IF EXISTS seam CASCADE"
  fi
  # Did the change reach the desired state? (seam's diff, with the ledger dropped)
  if "$seam" diff --db "$(url_for zd_run)" --schema "$want" --exit-code --no-warnings >"$d/diff.out" 2>&1; then
    echo "reached yes" >>"$d/marks"
  else
    echo "reached no" >>"$d/marks"
  fi
}

run_idle() {
  local d="$work/runs/$rows/idle/workload"
  log "run: idle baseline, $idle s"
  fresh_db "$rows"
  start_workload "$d" "$rows"
  echo "migration_start $(now)" >>"$d/marks"
  sleep "$idle"
  echo "migration_end $(now)" >>"$d/marks"
  stop_workload "$d"
}

# The physical reference: one UPDATE over the whole table per backfill kind,
# each the same work as seam's backfill of that change (a copy into a new
# bigint column; clock_timestamp() into a new column), under the workload.
run_reference() {  # run_reference SIZE
  local size=$1 d="$work/runs/$1/reference/update"
  log "run: single UPDATE reference, $size rows"
  fresh_db "$size"
  psql_db zd_run -c "ALTER TABLE orders ADD COLUMN qty_ref bigint, ADD COLUMN seen_at_ref timestamptz"
  start_workload "$d" "$size"
  local t0 t1 t2
  t0=$(now)
  "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url_for zd_run)" -c "UPDATE orders SET qty_ref = qty::bigint"
  t1=$(now)
  "$PG/psql" -X -q -v ON_ERROR_STOP=1 -d "$(url_for zd_run)" -c "UPDATE orders SET seen_at_ref = clock_timestamp()"
  t2=$(now)
  {
    echo "migration_start $t0"
    echo "update bigint $t0 $t1 $size"
    echo "update not-null-column $t1 $t2 $size"
    echo "migration_end $t2"
  } >>"$d/marks"
  stop_workload "$d"
}

backfilling=""
for m in $migrations; do
  case $m in bigint | not-null-column) backfilling+=" $m" ;; esac
done
sizes="$rows"
for f in $flat; do [[ $f != "$rows" ]] && sizes+=" $f"; done

for size in $sizes; do
  make_template "$size"
  if [[ $size == "$rows" ]]; then
    run_idle
    run_reference "$size"
    for m in $migrations; do
      for v in $variants; do run_one "$size" "$m" "$v"; done
    done
  else
    run_reference "$size"
    for m in $backfilling; do run_one "$size" "$m" seam; done
  fi
  psql_admin -c "DROP DATABASE IF EXISTS zd_tpl_$size WITH (FORCE)"
done
psql_admin -c "DROP DATABASE IF EXISTS zd_run WITH (FORCE)"
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/meta"
echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$work/meta"

log "analysing"
mkdir -p "$(dirname "$out")" "$plots"
python3 bench/zero_downtime/analyze.py "$work" --out "$out" --plots "$plots"
log "report: $out"
