CREATE TABLE orders (
  id integer PRIMARY KEY,
  total numeric NOT NULL,
  CONSTRAINT orders_total_check CHECK (total >= 0)
);
