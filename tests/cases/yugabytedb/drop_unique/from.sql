CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  CONSTRAINT accounts_email_key UNIQUE (email)
);
