-- Planned: SET NOT NULL on a populated column: CHECK (col IS NOT NULL) NOT
-- VALID, VALIDATE, SET NOT NULL (which uses the check and skips its scan),
-- drop the check. PostgreSQL 18 has NOT NULL constraints that can be NOT VALID.
CREATE TABLE accounts (id integer PRIMARY KEY, email text);
INSERT INTO accounts SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g;
