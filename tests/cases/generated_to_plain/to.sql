CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  email_lower text DEFAULT '' NOT NULL
);
CREATE UNIQUE INDEX accounts_email_lower_key ON accounts (email_lower);
