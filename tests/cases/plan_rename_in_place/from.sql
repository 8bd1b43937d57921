-- Planned: a column rename marked `-- seam:rename-in-place`: a plain RENAME
-- COLUMN (catalog only) with a hazard that old application code breaks.
CREATE TABLE people (id integer PRIMARY KEY, full_name text NOT NULL, born date);
INSERT INTO people SELECT g, 'person ' || g, date '2000-01-01' + g FROM generate_series(1, 1000) g;
