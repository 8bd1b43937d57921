-- Planned: a CHECK constraint on an existing table: NOT VALID, then VALIDATE.
CREATE TABLE orders (id integer PRIMARY KEY, total numeric NOT NULL);
INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 1000) g;
