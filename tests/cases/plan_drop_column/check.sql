SELECT count(*) = 1000 AND bool_and(name = 'person ' || id) FROM people;
