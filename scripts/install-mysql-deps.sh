#!/usr/bin/env bash
# Installs what seam's MySQL-family path (TiDB desired state, dialects/mysql/)
# needs on Debian 12 (bookworm), as root. Idempotent: nothing is fetched when
# every package is already installed. Called by scripts/install-deps.sh.
#
#   bash scripts/install-mysql-deps.sh
#
# mariadb-server: mariadbd and mariadb-install-db for the throwaway dev server
#   seam starts itself (dialects/mysql/dev_server.cpp); no system server is
#   created or started by seam.
# libmariadb-dev: the MariaDB Connector/C client library and headers (speaks
#   the MySQL protocol; used by dialects/mysql/ to load and inspect).
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "install-mysql-deps: run as root (apt-get install)" >&2
  exit 1
fi

packages=(mariadb-server libmariadb-dev)
missing=()
for p in "${packages[@]}"; do
  if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-mysql-deps: all packages present"
  exit 0
fi
start=$SECONDS
echo "install-mysql-deps: installing ${missing[*]}"
apt-get update -qq
# --no-install-recommends keeps the client tools and Perl extras out.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's postinst starts a system server where services may start; seam
# never uses one, so a server this script just installed is stopped and
# disabled again (containers whose policy-rc.d forbids starts have none).
if [[ " ${missing[*]} " == *" mariadb-server "* ]] && command -v systemctl >/dev/null &&
   systemctl is-active --quiet mariadb 2>/dev/null; then
  systemctl disable --now mariadb >/dev/null 2>&1 || true
  echo "install-mysql-deps: stopped and disabled the system mariadb service seam does not use"
fi
echo "install-mysql-deps: installed in $((SECONDS - start)) s"
