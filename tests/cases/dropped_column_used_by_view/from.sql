CREATE TABLE people (id integer PRIMARY KEY, name text, nickname text);
CREATE VIEW people_names AS SELECT id, name, nickname FROM people;
