ALTER TABLE public.people RENAME COLUMN full_name TO name;
