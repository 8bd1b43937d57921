-- The index is valid and the rows are all there.
SELECT (SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = 'public.accounts_email_idx'::regclass)
   AND (SELECT count(*) = 1000 FROM accounts);
