SET check_function_bodies = false;

DROP TRIGGER items_touch ON public.items;

-- hazard recreated: view public.stats is dropped and created again around the change of public.item_count()
DROP VIEW public.stats;

DROP FUNCTION public.item_count();

CREATE FUNCTION public.item_count() RETURNS bigint
    LANGUAGE sql STABLE
AS $$ SELECT count(*) FROM items $$;

CREATE OR REPLACE FUNCTION public.price_with_tax(p numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE
AS $$ SELECT p * 1.25 $$;

CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger
    LANGUAGE plpgsql
AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;

CREATE VIEW public.stats AS
SELECT item_count() AS n;

CREATE TRIGGER items_touch BEFORE INSERT OR UPDATE ON public.items
    FOR EACH ROW
    EXECUTE FUNCTION public.touch();

COMMENT ON FUNCTION public.touch() IS 'sets updated_at';
