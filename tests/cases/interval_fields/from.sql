-- Field-restricted intervals: the parser reads INTERVAL DAY TO SECOND(2) as a
-- typmod mask (7176, 2); seam must write the fields back, not the numbers
-- ("interval(7176,2)" is not SQL, and "interval(6)" would be a precision).
CREATE TABLE spans (id integer PRIMARY KEY, whole interval, fine interval(3));
