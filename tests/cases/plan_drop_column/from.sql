-- Planned: DROP COLUMN only in contract, behind the checkpoint, with a
-- data-loss hazard.
CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, legacy_code text);
INSERT INTO people SELECT g, 'person ' || g, 'x' || g FROM generate_series(1, 1000) g;
