-- Planned: a new NOT NULL column without a constant default: add it
-- nullable, set the default, backfill, then NOT NULL through a validated check.
CREATE TABLE sessions (id integer PRIMARY KEY, user_name text NOT NULL);
INSERT INTO sessions SELECT g, 'user ' || g FROM generate_series(1, 1000) g;
