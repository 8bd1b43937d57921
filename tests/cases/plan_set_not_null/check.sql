-- No helper check constraint is left behind; the rows are all there.
SELECT (SELECT count(*) = 0 FROM pg_constraint WHERE conrelid = 'public.accounts'::regclass AND contype = 'c')
   AND (SELECT count(*) = 1000 AND bool_and(email = 'user' || id || '@example.com') FROM accounts);
