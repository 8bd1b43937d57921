-- Planned: a type change whose `-- seam:using` expression gives a value for
-- NULL sources. The backfill must visit rows whose old value is NULL too,
-- as the dual-write trigger does, or they keep NULL after the swap.
CREATE TABLE scores (id integer PRIMARY KEY, points integer);
INSERT INTO scores SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE g END FROM generate_series(1, 1000) g;
