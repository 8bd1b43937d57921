CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT,
  email VARCHAR(255) NOT NULL,
  PRIMARY KEY (id)
);
INSERT INTO customers (email) VALUES ('a@example.com'), ('b@example.com'), ('c@example.com');
