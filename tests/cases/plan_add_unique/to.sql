CREATE TABLE accounts (
  id integer PRIMARY KEY,
  email text NOT NULL,
  CONSTRAINT accounts_email_key UNIQUE (email)
);
