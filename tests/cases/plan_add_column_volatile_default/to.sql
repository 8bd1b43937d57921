CREATE TABLE sessions (
  id integer PRIMARY KEY,
  user_name text NOT NULL,
  score double precision DEFAULT random()
);
