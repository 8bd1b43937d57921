#!/usr/bin/env bash
# Installs everything seam's build and tests need on Debian 12 (bookworm), as
# root. Idempotent: packages already present are not re-fetched (apt-get update
# runs once, and only when a package is missing), the system user is created only once.
#
#   bash scripts/install-deps.sh                 # build + test dependencies
#   bash scripts/install-deps.sh --all-versions  # also PostgreSQL 12 14 16 17 18
#   SEAM_PG_ALL_VERSIONS=1 bash scripts/install-deps.sh   # same
#
# README.md ("Dependencies") says why each package is here.
set -euo pipefail

all_versions=${SEAM_PG_ALL_VERSIONS:-0}
for arg in "$@"; do
  case $arg in
    --all-versions) all_versions=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown argument '$arg'" >&2; exit 64 ;;
  esac
done

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: run as root (apt-get install, useradd)" >&2
  exit 1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries
  libpg-query-dev libprotobuf-c-dev libpqxx-dev libboost-graph-dev libcli11-dev
  libyaml-cpp-dev libgtest-dev
  # the default PostgreSQL (15) for seam dev and the tests, and psql
  postgresql-15 postgresql-client-15 postgresql-contrib
  # promtool: executor_test checks examples/monitoring's alert rules and the
  # /metrics format of `seam apply` with it
  prometheus
  # --- later issues: staging harness, cross-dialect and benchmarks ----------
  # Add here when the code that needs them lands (not before, to keep CI fast):
  #   (HA staging - etcd, Patroni, HAProxy - come from install-staging-deps.sh below)
  #   (mariadb-server and libmariadb-dev: scripts/install-mysql-deps.sh, run below)
  #   gnuplot                       (bench/ charts)
)
# node/npm only fetch the other PostgreSQL majors (scripts/install-pg-versions.sh);
# take the machine's own when it has them.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  # "install ok installed" only for packages that are fully installed.
  if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

start=$SECONDS
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]}"
  # Package lists are refreshed once, and only when something is missing.
  apt-get update -qq
  # The postgresql package would otherwise create and start a system cluster;
  # seam never uses one (tests start their own servers).
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/seam-no-main.conf
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "install-deps: apt packages installed in $((SECONDS - start)) s"
else
  echo "install-deps: all apt packages present"
fi

# PostgreSQL refuses to run as root; seam's embedded servers run as this
# unprivileged system user (dialects/postgres/spawn.cpp: server_account).
if ! getent passwd seam-pg >/dev/null; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin seam-pg
  echo "install-deps: created system user seam-pg"
fi

# The HA staging harness (scripts/staging): etcd, Patroni, HAProxy.
bash "$here/install-staging-deps.sh"

# The MySQL-family path (TiDB desired state through a MariaDB dev server).
bash "$here/install-mysql-deps.sh"

if [[ $all_versions == 1 ]]; then
  bash "$here/install-pg-versions.sh"
fi
