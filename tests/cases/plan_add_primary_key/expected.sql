ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id);
