-- Planned: a new column with a volatile default (a plain ADD COLUMN would
-- rewrite the table under ACCESS EXCLUSIVE): add it nullable, set the
-- default for new rows, backfill the existing rows in batches.
CREATE TABLE sessions (id integer PRIMARY KEY, user_name text NOT NULL);
INSERT INTO sessions SELECT g, 'user ' || g FROM generate_series(1, 1000) g;
