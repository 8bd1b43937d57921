-- Planned: a new NOT NULL column with a constant default is added directly
-- (catalog only since PostgreSQL 11: no rewrite, no scan).
CREATE TABLE tickets (id integer PRIMARY KEY, title text NOT NULL);
INSERT INTO tickets SELECT g, 'ticket ' || g FROM generate_series(1, 1000) g;
