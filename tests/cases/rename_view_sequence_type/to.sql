-- seam:renamed-from colour
CREATE TYPE color AS ENUM ('red', 'green');
-- seam:renamed-from old_seq
CREATE SEQUENCE new_seq;
CREATE TABLE paints (id integer PRIMARY KEY, c color);
-- seam:renamed-from old_view
CREATE VIEW paint_ids AS SELECT id FROM paints;
