CREATE TABLE line_items (
  id BIGINT NOT NULL AUTO_INCREMENT,
  order_id INT NOT NULL,
  quantity BIGINT NOT NULL DEFAULT 1 COMMENT 'units ordered',
  PRIMARY KEY (id),
  KEY line_items_order_idx (order_id)
);
