CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT,
  customer_id BIGINT NOT NULL,
  placed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id)
);
INSERT INTO orders (customer_id, placed_at) VALUES (1, '2025-01-01 10:00:00'),
  (2, '2025-01-02 11:00:00'), (1, '2025-01-03 12:00:00');
