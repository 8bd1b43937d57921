CREATE TABLE notes (id integer PRIMARY KEY, body text);
COMMENT ON TABLE notes IS 'old';
CREATE VIEW note_ids AS SELECT id FROM notes;
