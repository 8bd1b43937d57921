-- Planned: DROP TABLE only in contract, behind the checkpoint, with a
-- data-loss hazard; the table that stays keeps its rows.
CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE audit_log (id bigint PRIMARY KEY, person_id integer REFERENCES people (id), entry text);
INSERT INTO people SELECT g, 'person ' || g FROM generate_series(1, 1000) g;
INSERT INTO audit_log SELECT g, g, 'entry ' || g FROM generate_series(1, 1000) g;
