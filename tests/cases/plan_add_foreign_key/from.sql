-- Planned: a FOREIGN KEY on an existing table: NOT VALID, then VALIDATE.
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, total numeric NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, 1 + g % 100, g * 1.5 FROM generate_series(1, 1000) g;
