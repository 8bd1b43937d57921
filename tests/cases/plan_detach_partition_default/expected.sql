ALTER TABLE public.measurements DETACH PARTITION public.measurements_2023;
