-- Planned: a PRIMARY KEY on an existing table (the column is already NOT
-- NULL): unique index built concurrently, then ADD CONSTRAINT ... USING INDEX.
CREATE TABLE events (id bigint NOT NULL, kind text NOT NULL);
INSERT INTO events SELECT g, 'k' || (g % 7) FROM generate_series(1, 1000) g;
