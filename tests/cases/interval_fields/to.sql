CREATE TABLE spans (
  id integer PRIMARY KEY,
  whole interval,
  fine interval(3),
  clock interval day to second(2),
  months interval year to month,
  mins interval hour to minute
);
