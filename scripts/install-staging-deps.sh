#!/usr/bin/env bash
# Installs what the HA staging harness (scripts/staging, docs/staging.md) needs
# on Debian 12, as root: etcd 3.4, Patroni 3.0 (with its etcd client), HAProxy,
# and psycopg2 for Patroni. Called by scripts/install-deps.sh; idempotent
# (apt-get runs only when a package is missing). Debian's packages would start
# system services on install: the staging harness never uses them, so they are
# stopped and disabled if they came up.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "install-staging-deps: run as root (apt-get install)" >&2
  exit 1
fi

packages=(etcd-server patroni python3-etcd python3-psycopg2 haproxy iproute2 procps curl)

missing=()
for p in "${packages[@]}"; do
  if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-staging-deps: all staging packages present"
  exit 0
fi

start=$SECONDS
echo "install-staging-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Where an init system started the packaged services, stop them: they would hold
# the default ports and are not part of the harness.
for svc in etcd haproxy patroni; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
    systemctl disable "$svc" >/dev/null 2>&1 || true
  fi
done
echo "install-staging-deps: installed in $((SECONDS - start)) s"
