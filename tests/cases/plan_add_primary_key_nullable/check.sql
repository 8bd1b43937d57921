SELECT (SELECT i.indisvalid AND i.indisprimary FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid
         WHERE c.conname = 'events_pkey' AND c.contype = 'p')
   AND (SELECT count(*) = 1000 AND sum(id) = 500500 FROM events)
   AND (SELECT count(*) = 0 FROM pg_constraint WHERE conrelid = 'public.events'::regclass AND contype = 'c');
