-- seam:renamed-from clients
CREATE TABLE customers (
  id integer PRIMARY KEY,
  -- seam:renamed-from full_name
  name text NOT NULL
);
CREATE TABLE invoices (id integer PRIMARY KEY, client_id integer CONSTRAINT invoices_client_id_fkey REFERENCES customers (id));
-- seam:renamed-from clients_full_name_idx
CREATE INDEX customers_name_idx ON customers (name);
