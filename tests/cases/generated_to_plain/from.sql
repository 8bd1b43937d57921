-- A stored generated column becomes a plain one with a default: DROP
-- EXPRESSION keeps the computed values (13+); PostgreSQL 12 has no way to keep
-- them in place, so the plan is refused there instead of dropping them.
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  email_lower text GENERATED ALWAYS AS (lower(email)) STORED
);
CREATE UNIQUE INDEX accounts_email_lower_key ON accounts (email_lower);
INSERT INTO accounts (id, email) SELECT g, 'User' || g || '@Example.com' FROM generate_series(1, 500) g;
