CREATE TYPE colour AS ENUM ('red', 'green');
CREATE SEQUENCE old_seq;
CREATE TABLE paints (id integer PRIMARY KEY, c colour);
CREATE VIEW old_view AS SELECT id FROM paints;
