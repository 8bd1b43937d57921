-- A plain column becomes a stored generated one: its values are replaced by
-- the expression's (data loss), and writes to it fail from then on, so the
-- one ALTER TABLE runs in contract, behind the checkpoint - and the index and
-- view on the column, recreated around it, move to contract with it.
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  net_cents integer NOT NULL,
  tax_cents integer NOT NULL,
  gross_cents integer
);
CREATE INDEX orders_gross_idx ON orders (gross_cents);
CREATE INDEX orders_net_idx ON orders (net_cents);
CREATE VIEW big_orders AS SELECT id, gross_cents FROM orders WHERE gross_cents > 5000;
INSERT INTO orders SELECT g, g * 10, g, CASE WHEN g % 10 = 0 THEN NULL ELSE g * 11 END FROM generate_series(1, 1000) g;
