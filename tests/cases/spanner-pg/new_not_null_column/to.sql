CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, status text NOT NULL DEFAULT 'active');
