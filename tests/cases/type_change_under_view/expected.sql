-- hazard recreated: view public.big_order_ids is dropped and created again around the change of public.big_orders
DROP VIEW public.big_order_ids;

-- hazard recreated: view public.big_orders is dropped and created again around the change of public.orders
DROP VIEW public.big_orders;

ALTER TABLE public.orders ALTER COLUMN amount DROP DEFAULT;
ALTER TABLE public.orders ALTER COLUMN amount TYPE bigint USING amount::bigint;
ALTER TABLE public.orders ALTER COLUMN amount SET DEFAULT 0;

CREATE VIEW public.big_orders AS
SELECT id, amount FROM orders WHERE amount > 100;

CREATE VIEW public.big_order_ids AS
SELECT id FROM big_orders;
