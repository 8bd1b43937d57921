CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(trim(t)) $$;
CREATE TABLE codes (
  id integer PRIMARY KEY,
  code text NOT NULL DEFAULT norm('  NEW ') CHECK (code = norm(code))
);
