DROP INDEX public.accounts_email_idx;
