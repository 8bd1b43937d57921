-- MySQL's equivalent of an enum type's new value: a member appended to the
-- column's ENUM list (at the end, so every stored member number stays valid).
CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT,
  status ENUM('active', 'blocked', 'deleted') NOT NULL DEFAULT 'active',
  PRIMARY KEY (id)
);
