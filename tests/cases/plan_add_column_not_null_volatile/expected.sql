ALTER TABLE public.sessions ADD COLUMN seen_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL;
