CREATE DOMAIN public.email AS text
    CONSTRAINT email_check CHECK (value LIKE '%@%');
COMMENT ON DOMAIN public.email IS 'an e-mail address';

ALTER DOMAIN public.positive_int SET DEFAULT 1;
ALTER DOMAIN public.positive_int SET NOT NULL;
ALTER DOMAIN public.positive_int ADD CONSTRAINT positive_int_small CHECK (value < 1000000);

ALTER TYPE public.address ADD ATTRIBUTE zip character varying(10);

ALTER TABLE public.shops ADD COLUMN contact email;
