CREATE TABLE secrets (id integer PRIMARY KEY, owner name NOT NULL, body text);
