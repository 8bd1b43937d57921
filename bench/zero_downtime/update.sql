-- Foreground workload (scripts/bench-zero-downtime.sh): a point update of the
-- table being migrated, touching the column the integer -> bigint change retypes.
\set id random(1, :maxid)
UPDATE orders SET qty = qty + 1, total = total + 1 WHERE id = :id;
