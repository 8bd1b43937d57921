SELECT count(*) = 1000 AND bool_and(name = 'person ' || id) AND bool_and(born = date '2000-01-01' + id) FROM people;
