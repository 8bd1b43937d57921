-- Planned: a UNIQUE constraint on an existing table: unique index built
-- concurrently, then ADD CONSTRAINT ... USING INDEX.
CREATE TABLE accounts (id integer PRIMARY KEY, email text NOT NULL);
INSERT INTO accounts SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g;
