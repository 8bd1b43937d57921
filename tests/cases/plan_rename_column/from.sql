-- Planned: a column rename by annotation: the new column with dual-write both
-- ways, backfill, checkpoint, the old column dropped in contract.
CREATE TABLE people (id integer PRIMARY KEY, full_name text NOT NULL, born date);
INSERT INTO people SELECT g, 'person ' || g, date '2000-01-01' + g FROM generate_series(1, 1000) g;
