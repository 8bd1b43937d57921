-- Planned: DROP INDEX CONCURRENTLY, in the contract phase.
CREATE TABLE accounts (id integer PRIMARY KEY, email text NOT NULL);
CREATE INDEX accounts_email_idx ON accounts (email);
INSERT INTO accounts SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g;
