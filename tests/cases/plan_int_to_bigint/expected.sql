ALTER TABLE public.line_items ALTER COLUMN quantity TYPE bigint USING quantity::bigint;
