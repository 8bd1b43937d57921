CREATE TABLE people (id bigint PRIMARY KEY, name text NOT NULL);
