CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT,
  status ENUM('active', 'blocked') NOT NULL DEFAULT 'active',
  PRIMARY KEY (id)
);
INSERT INTO customers (status) VALUES ('active'), ('blocked'), ('active');
