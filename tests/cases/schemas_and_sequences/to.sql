CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'application objects';
CREATE SEQUENCE app.invoice_no AS integer START WITH 1000 INCREMENT BY 10 CACHE 5;
CREATE SEQUENCE ticket_seq INCREMENT BY 5 MAXVALUE 100000 CYCLE;
CREATE TABLE app.invoices (no integer NOT NULL DEFAULT nextval('app.invoice_no'), total numeric(12,2));
ALTER SEQUENCE app.invoice_no OWNED BY app.invoices.no;
