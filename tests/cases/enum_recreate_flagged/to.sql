CREATE TYPE status AS ENUM ('live', 'draft');
CREATE TABLE docs (id integer PRIMARY KEY, s status NOT NULL DEFAULT 'draft', history status[]);
CREATE VIEW live_docs AS SELECT id FROM docs WHERE s = 'live';
CREATE FUNCTION is_live(s status) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT s = 'live' $$;
