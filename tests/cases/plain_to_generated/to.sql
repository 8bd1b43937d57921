CREATE TABLE orders (
  id bigint PRIMARY KEY,
  net_cents integer NOT NULL,
  tax_cents integer NOT NULL,
  gross_cents integer GENERATED ALWAYS AS (net_cents + tax_cents) STORED
);
CREATE INDEX orders_gross_idx ON orders (gross_cents);
CREATE INDEX orders_net_idx ON orders (net_cents);
CREATE VIEW big_orders AS SELECT id, gross_cents FROM orders WHERE gross_cents > 5000;
