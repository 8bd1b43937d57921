CREATE TABLE line_items (
  id bigint PRIMARY KEY,
  quantity integer NOT NULL,
  unit_cents integer NOT NULL,
  total_cents integer GENERATED ALWAYS AS (quantity * unit_cents + 25) STORED,
  CONSTRAINT line_items_total_check CHECK (total_cents >= 0)
);
CREATE INDEX line_items_total_idx ON line_items (total_cents);
CREATE VIEW large_items AS SELECT id, total_cents FROM line_items WHERE total_cents > 1000;
