CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE feelings (id integer PRIMARY KEY, m mood NOT NULL DEFAULT 'sad');
