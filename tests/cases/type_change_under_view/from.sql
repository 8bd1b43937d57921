CREATE TABLE orders (id integer PRIMARY KEY, amount integer NOT NULL DEFAULT 0, note text);
CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100;
CREATE VIEW big_order_ids AS SELECT id FROM big_orders;
