SET check_function_bodies = false;

CREATE FUNCTION public.norm(t text) RETURNS text
    LANGUAGE sql IMMUTABLE
AS $$ SELECT lower(trim(t)) $$;

ALTER TABLE public.codes ALTER COLUMN code SET DEFAULT norm('  NEW ');

ALTER TABLE public.codes ADD CONSTRAINT codes_code_check CHECK (code = norm(code));
