CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT,
  email VARCHAR(255) NOT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT,
  customer_id BIGINT NOT NULL,
  PRIMARY KEY (id)
);
INSERT INTO customers (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com');
INSERT INTO orders (customer_id) VALUES (1), (2), (2);
