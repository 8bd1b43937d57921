ALTER TABLE public.tickets ADD COLUMN status text DEFAULT 'open' NOT NULL;
