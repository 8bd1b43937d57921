CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE diary (id bigint PRIMARY KEY, feeling mood NOT NULL);
