ALTER TABLE public.clients RENAME TO customers;

ALTER TABLE public.customers RENAME COLUMN full_name TO name;

ALTER TABLE public.customers RENAME CONSTRAINT clients_pkey TO customers_pkey;

ALTER INDEX public.clients_full_name_idx RENAME TO customers_name_idx;
