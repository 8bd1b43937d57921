CREATE TABLE clients (id integer PRIMARY KEY, full_name text NOT NULL);
CREATE TABLE invoices (id integer PRIMARY KEY, client_id integer REFERENCES clients (id));
CREATE INDEX clients_full_name_idx ON clients (full_name);
