CREATE INDEX accounts_email_idx ON public.accounts (email);
