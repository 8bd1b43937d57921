DROP VIEW public.people_names;

-- hazard data-loss: column public.people.nickname is dropped with its data
ALTER TABLE public.people DROP COLUMN nickname;

CREATE VIEW public.people_names AS
SELECT id, name FROM people;
