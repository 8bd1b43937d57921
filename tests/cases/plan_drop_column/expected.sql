-- hazard data-loss: column public.people.legacy_code is dropped with its data
ALTER TABLE public.people DROP COLUMN legacy_code;
