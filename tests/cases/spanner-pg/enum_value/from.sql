CREATE TABLE diary (
  id bigint PRIMARY KEY,
  feeling text NOT NULL,
  CONSTRAINT diary_feeling_check CHECK (feeling IN ('ok', 'sad'))
);
