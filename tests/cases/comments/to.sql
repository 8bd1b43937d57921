CREATE TABLE notes (id integer PRIMARY KEY, body text);
COMMENT ON TABLE notes IS 'it''s new: quotes and \ backslashes';
COMMENT ON COLUMN notes.body IS 'the text';
COMMENT ON CONSTRAINT notes_pkey ON notes IS 'identity';
CREATE VIEW note_ids AS SELECT id FROM notes;
COMMENT ON VIEW note_ids IS 'ids only';
