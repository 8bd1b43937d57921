-- hazard recreated: view public.large_items is dropped and created again around the change of public.line_items
DROP VIEW public.large_items;

ALTER TABLE public.line_items DROP CONSTRAINT line_items_total_check;

DROP INDEX public.line_items_total_idx;

ALTER TABLE public.line_items DROP COLUMN total_cents, ADD COLUMN total_cents integer GENERATED ALWAYS AS ((quantity * unit_cents) + 25) STORED;

ALTER TABLE public.line_items ADD CONSTRAINT line_items_total_check CHECK (total_cents >= 0);

CREATE INDEX line_items_total_idx ON public.line_items (total_cents);

CREATE VIEW public.large_items AS
SELECT id, total_cents FROM line_items WHERE total_cents > 1000;
