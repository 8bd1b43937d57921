CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT,
  email VARCHAR(255) NOT NULL,
  legacy_code CHAR(4) NULL,
  PRIMARY KEY (id)
);
INSERT INTO customers (email, legacy_code) VALUES ('a@example.com', 'A001'), ('b@example.com', NULL);
