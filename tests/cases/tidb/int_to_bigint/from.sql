-- Two INT columns about to outgrow 2^31: the primary key and a counter.
CREATE TABLE line_items (
  id INT NOT NULL AUTO_INCREMENT,
  order_id INT NOT NULL,
  quantity INT NOT NULL DEFAULT 1 COMMENT 'units ordered',
  PRIMARY KEY (id),
  KEY line_items_order_idx (order_id)
);
INSERT INTO line_items (order_id, quantity) VALUES (1, 2), (1, 5), (2, 1), (3, 7), (3, 2147483647);
