CREATE TABLE scores (
  id integer PRIMARY KEY,
  -- seam:using coalesce(points, 0)::bigint
  points bigint
);
