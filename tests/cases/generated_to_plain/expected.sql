ALTER TABLE public.accounts ALTER COLUMN email_lower DROP EXPRESSION;

ALTER TABLE public.accounts ALTER COLUMN email_lower SET DEFAULT '';

ALTER TABLE public.accounts ALTER COLUMN email_lower SET NOT NULL;
