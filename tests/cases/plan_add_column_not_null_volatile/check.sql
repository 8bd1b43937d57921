SELECT (SELECT count(*) = 1000 AND count(seen_at) = 1000 AND bool_and(user_name = 'user ' || id) FROM sessions)
   AND (SELECT count(*) = 0 FROM pg_constraint WHERE conrelid = 'public.sessions'::regclass AND contype = 'c');
