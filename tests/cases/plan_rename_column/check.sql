-- The renamed column holds the old column's values; no trigger is left.
SELECT (SELECT count(*) = 1000 AND bool_and(name = 'person ' || id) AND bool_and(born = date '2000-01-01' + id) FROM people)
   AND (SELECT count(*) = 0 FROM pg_trigger WHERE tgrelid = 'public.people'::regclass AND NOT tgisinternal);
