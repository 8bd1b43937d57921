CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic');
CREATE TABLE feelings (id integer PRIMARY KEY, m mood NOT NULL DEFAULT 'ok');
