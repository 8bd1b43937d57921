-- hazard recreated: view public.big_orders is dropped and created again around the change of public.orders
DROP VIEW public.big_orders;

DROP INDEX public.orders_gross_idx;

-- hazard data-loss: column public.orders.gross_cents becomes a generated column: it is dropped and added again, and its stored values are replaced by the expression's
ALTER TABLE public.orders DROP COLUMN gross_cents, ADD COLUMN gross_cents integer GENERATED ALWAYS AS (net_cents + tax_cents) STORED;

CREATE INDEX orders_gross_idx ON public.orders (gross_cents);

CREATE VIEW public.big_orders AS
SELECT id, gross_cents FROM orders WHERE gross_cents > 5000;
