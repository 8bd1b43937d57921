-- Foreground workload of the zero-downtime benchmark (scripts/bench-zero-downtime.sh):
-- a point read of the table being migrated. :maxid is the populated row count.
\set id random(1, :maxid)
SELECT id, customer_id, qty, note, code, total, created_at FROM orders WHERE id = :id;
