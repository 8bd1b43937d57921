DROP MATERIALIZED VIEW public.sales_by_region;

CREATE MATERIALIZED VIEW public.sales_by_region AS
SELECT region, sum(amount) AS total, count(*) AS n FROM sales GROUP BY region;
COMMENT ON MATERIALIZED VIEW public.sales_by_region IS 'refreshed nightly';

CREATE UNIQUE INDEX sales_by_region_idx ON public.sales_by_region (region);
