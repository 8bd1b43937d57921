-- Planned: a type change with a `-- seam:using` backfill expression (epoch
-- seconds -> timestamptz has no cast): shadow column, dual-write, backfill
-- with the expression, checkpoint, swap.
CREATE TABLE readings (id integer PRIMARY KEY, taken bigint NOT NULL, value numeric NOT NULL);
INSERT INTO readings SELECT g, 1700000000 + g * 60, g / 10.0 FROM generate_series(1, 1000) g;
