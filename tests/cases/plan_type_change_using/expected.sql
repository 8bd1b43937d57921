ALTER TABLE public.readings ALTER COLUMN taken TYPE timestamp with time zone USING to_timestamp(taken);
