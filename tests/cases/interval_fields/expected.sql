ALTER TABLE public.spans ADD COLUMN clock interval day to second(2);

ALTER TABLE public.spans ADD COLUMN months interval year to month;

ALTER TABLE public.spans ADD COLUMN mins interval hour to minute;
