SELECT count(*) = 1000 AND bool_and(taken = to_timestamp(1700000000 + id * 60)) AND bool_and(value = id / 10.0)
  FROM readings;
