CREATE TABLE people (
  id integer PRIMARY KEY,
  -- seam:renamed-from full_name
  name text NOT NULL,
  born date
);
