SELECT count(*) = 1000 AND count(*) FILTER (WHERE points IS NULL) = 0
   AND bool_and(points = CASE WHEN id % 4 = 0 THEN 0 ELSE id END)
  FROM scores;
