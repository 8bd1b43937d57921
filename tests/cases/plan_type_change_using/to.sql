CREATE TABLE readings (
  id integer PRIMARY KEY,
  -- seam:using to_timestamp(taken)
  taken timestamp with time zone NOT NULL,
  value numeric NOT NULL
);
