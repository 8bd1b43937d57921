SELECT to_regclass('public.audit_log') IS NULL AND (SELECT count(*) = 1000 FROM people);
