CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total bigint);
CREATE VIEW order_totals AS SELECT orders.id, orders.total FROM orders;
