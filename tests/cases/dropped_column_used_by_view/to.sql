CREATE TABLE people (id integer PRIMARY KEY, name text);
CREATE VIEW people_names AS SELECT id, name FROM people;
