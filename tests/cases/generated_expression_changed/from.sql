-- A stored generated column whose expression changes, with an index, a CHECK
-- constraint and a view on it: one ALTER TABLE drops and adds the column
-- (never a drop in contract and an add in expand), and the index, constraint
-- and view are dropped before and created again after.
CREATE TABLE line_items (
  id bigint PRIMARY KEY,
  quantity integer NOT NULL,
  unit_cents integer NOT NULL,
  total_cents integer GENERATED ALWAYS AS (quantity * unit_cents) STORED,
  CONSTRAINT line_items_total_check CHECK (total_cents >= 0)
);
CREATE INDEX line_items_total_idx ON line_items (total_cents);
CREATE VIEW large_items AS SELECT id, total_cents FROM line_items WHERE total_cents > 1000;
INSERT INTO line_items (id, quantity, unit_cents) SELECT g, g % 7, 150 FROM generate_series(1, 2000) g;
