ALTER TYPE public.mood ADD VALUE 'ok' AFTER 'sad';

ALTER TYPE public.mood ADD VALUE 'ecstatic' AFTER 'happy';

ALTER TABLE public.feelings ALTER COLUMN m SET DEFAULT 'ok';
