-- Planned: a PRIMARY KEY on a column that is still nullable. ADD CONSTRAINT
-- ... USING INDEX would set NOT NULL itself, scanning the table under ACCESS
-- EXCLUSIVE, so the plan must prove NOT NULL through a validated check first.
CREATE TABLE events (id bigint, kind text NOT NULL);
INSERT INTO events SELECT g, 'k' || (g % 7) FROM generate_series(1, 1000) g;
