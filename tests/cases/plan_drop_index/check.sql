SELECT to_regclass('public.accounts_email_idx') IS NULL AND (SELECT count(*) = 1000 FROM accounts);
