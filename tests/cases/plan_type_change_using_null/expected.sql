ALTER TABLE public.scores ALTER COLUMN points TYPE bigint USING coalesce(points, 0)::bigint;
