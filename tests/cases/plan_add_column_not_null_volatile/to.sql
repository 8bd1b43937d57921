CREATE TABLE sessions (
  id integer PRIMARY KEY,
  user_name text NOT NULL,
  seen_at timestamp with time zone NOT NULL DEFAULT clock_timestamp()
);
