-- Planned: integer -> bigint rewrites the table under ACCESS EXCLUSIVE; the
-- plan adds a shadow column, a dual-write trigger, a batched backfill, a
-- checkpoint, and a short swap in contract.
CREATE TABLE line_items (id integer PRIMARY KEY, quantity integer NOT NULL, note text);
INSERT INTO line_items SELECT g, g * 3, 'item ' || g FROM generate_series(1, 1000) g;
