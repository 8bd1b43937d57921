-- Secondary indexes, in a file of their own as many teams keep them.
CREATE INDEX orders_placed_at_idx ON orders (placed_at);
CREATE INDEX products_name_idx ON products (name(20)); # a prefix index
ALTER TABLE order_items ADD INDEX order_items_product_idx (product_id, quantity DESC);
