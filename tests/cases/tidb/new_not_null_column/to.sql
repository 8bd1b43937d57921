-- Two new NOT NULL columns: one with a constant default (every existing row
-- gets 0, instantly), one whose default is evaluated per row (each existing
-- row needs its own UUID: backfilled).
CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT,
  email VARCHAR(255) NOT NULL,
  loyalty_tier INT NOT NULL DEFAULT 0,
  public_id CHAR(36) NOT NULL DEFAULT (uuid()) COMMENT 'exposed in URLs',
  PRIMARY KEY (id)
);
