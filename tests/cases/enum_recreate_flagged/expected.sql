SET check_function_bodies = false;

-- hazard recreated: view public.live_docs is dropped and created again around the change of public.docs
DROP VIEW public.live_docs;

DROP FUNCTION public.is_live(status);

-- hazard recreates-type: enum public.status loses or reorders labels: it is recreated and every column of that type is rewritten; rows holding a removed label make it fail
ALTER TYPE public.status RENAME TO status__seam_old;
CREATE TYPE public.status AS ENUM (
    'live',
    'draft'
);
ALTER TABLE public.docs ALTER COLUMN s DROP DEFAULT;
ALTER TABLE public.docs ALTER COLUMN s TYPE status USING s::text::status;
ALTER TABLE public.docs ALTER COLUMN s SET DEFAULT 'draft';
ALTER TABLE public.docs ALTER COLUMN history TYPE status[] USING history::text[]::status[];
DROP TYPE public.status__seam_old;

CREATE FUNCTION public.is_live(s status) RETURNS boolean
    LANGUAGE sql IMMUTABLE
AS $$ SELECT s = 'live' $$;

CREATE VIEW public.live_docs AS
SELECT id FROM docs WHERE s = 'live';
