ALTER TABLE public.sessions ADD COLUMN score double precision DEFAULT random();
