DROP SEQUENCE old_area.counter;

DROP SCHEMA old_area;

CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'application objects';

CREATE SEQUENCE app.invoice_no AS integer INCREMENT BY 10 START WITH 1000 CACHE 5;

ALTER SEQUENCE public.ticket_seq AS bigint INCREMENT BY 5 MINVALUE 1 MAXVALUE 100000 START WITH 1 CACHE 1 CYCLE;

CREATE TABLE app.invoices (
    no integer DEFAULT nextval('app.invoice_no') NOT NULL,
    total numeric(12,2)
);

ALTER SEQUENCE app.invoice_no OWNED BY app.invoices.no;
