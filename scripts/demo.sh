#!/usr/bin/env bash
# A two-minute tour: builds seam, starts a throwaway PostgreSQL with `seam dev`,
# loads the example shop schema into it, then shows what seam sees:
#   seam inspect  - the live database dumped as desired-state SQL
#   seam diff     - live database vs examples/shop (expected: no differences)
#   seam plan / apply / jobs - a type change on 200,000 rows, planned online,
#                   applied with a progress bar, stopped at its checkpoint,
#                   approved and finished
# The server and its files are removed at the end, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $(id -u) -eq 0 ]]; then
  bash scripts/install-deps.sh
fi
bash scripts/build.sh

work=$(mktemp -d)
build/seam dev >"$work/url" 2>"$work/dev.log" &
dev_pid=$!
cleanup() {
  kill -TERM "$dev_pid" 2>/dev/null && wait "$dev_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# seam dev prints the URL as its only line on stdout once the server is ready.
for _ in $(seq 1 600); do
  [[ -s $work/url ]] && break
  if ! kill -0 "$dev_pid" 2>/dev/null; then
    echo "demo: seam dev failed:" >&2
    cat "$work/dev.log" >&2
    exit 1
  fi
  sleep 0.1
done
[[ -s $work/url ]] || { echo "demo: seam dev printed no URL within 60 s" >&2; cat "$work/dev.log" >&2; exit 1; }
url=$(head -n1 "$work/url")
echo "== seam dev is serving $url"

for f in examples/shop/*.sql; do
  echo "== loading $f"
  psql -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$f"
done

echo "== build/seam inspect --db $url"
build/seam inspect --db "$url"

echo "== build/seam diff --db $url --schema examples/shop"
build/seam diff --db "$url" --schema examples/shop

# A change on a populated table: a new NOT NULL column whose default is
# volatile. The plan adds it nullable, backfills it in batches, and makes it
# NOT NULL (CHECK NOT VALID, VALIDATE, SET NOT NULL) only after the checkpoint
# is approved.
echo "== 200,000 products, and a desired state with a new column products.shelf"
psql -X -q -v ON_ERROR_STOP=1 -d "$url" -c "INSERT INTO products (sku, title, price_cents)
  SELECT 'sku-' || g, 'Product ' || g, g % 10000 FROM generate_series(1, 200000) g; ANALYZE products"
cp -r examples/shop "$work/desired"
sed -i '/^CREATE TABLE products/,/^);/s/^    active  .*$/&,\n    shelf        integer NOT NULL DEFAULT (1 + floor(random() * 40))::integer/' "$work/desired/02_tables.sql"

echo "== build/seam plan --db $url --schema desired/ --out plan.yaml"
build/seam plan --db "$url" --schema "$work/desired" --out "$work/plan.yaml"
build/seam plan --db "$url" --schema "$work/desired" --format md --no-warnings | head -n 30

echo "== build/seam apply plan.yaml --db $url   (stops at the checkpoint)"
build/seam apply "$work/plan.yaml" --db "$url" --max-rows-per-second 40000
build/seam jobs list --db "$url"
echo "== build/seam jobs approve 1 --db $url; build/seam apply plan.yaml --db $url"
build/seam jobs approve 1 --db "$url"
build/seam apply "$work/plan.yaml" --db "$url"
echo "== build/seam diff --db $url --schema desired/   (expected: no differences)"
build/seam diff --db "$url" --schema "$work/desired"
echo "== demo done"
