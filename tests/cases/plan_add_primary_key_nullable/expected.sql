ALTER TABLE public.events ALTER COLUMN id SET NOT NULL;

ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id);
