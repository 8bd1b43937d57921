-- The constraint is enforced by a valid index and the rows are all there.
SELECT (SELECT i.indisvalid AND i.indisunique FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid
         WHERE c.conname = 'accounts_email_key' AND c.contype = 'u')
   AND (SELECT count(*) = 1000 FROM accounts);
