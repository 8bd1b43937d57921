ALTER SEQUENCE public.old_seq RENAME TO new_seq;

ALTER TYPE public.colour RENAME TO color;

ALTER VIEW public.old_view RENAME TO paint_ids;
