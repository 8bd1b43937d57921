CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT,
  customer_id BIGINT NOT NULL,
  placed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY orders_placed_at_idx (placed_at)
);
