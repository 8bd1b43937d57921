CREATE TABLE accounts (
  id integer NOT NULL,
  email character varying(100),
  status text DEFAULT 'new',
  score integer,
  legacy text,
  note text
);
COMMENT ON COLUMN accounts.note IS 'old note';
