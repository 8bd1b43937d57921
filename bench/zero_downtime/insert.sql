-- Foreground workload (scripts/bench-zero-downtime.sh): an insert into the table
-- being migrated. It names only the columns of the base schema, so it works
-- before, during and after every migration; customer_id exists in customers
-- (the foreign-key migration) and code is unique (the unique migration).
\set cid random(1, 10000)
INSERT INTO orders (customer_id, qty, note, code, total)
VALUES (:cid, 1, 'fg', 'fg-' || gen_random_uuid(), 1.00);
