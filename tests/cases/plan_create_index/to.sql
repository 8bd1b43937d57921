CREATE TABLE accounts (id integer PRIMARY KEY, email text NOT NULL);
CREATE INDEX accounts_email_idx ON accounts (email);
