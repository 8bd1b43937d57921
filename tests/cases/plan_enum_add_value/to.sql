CREATE TYPE mood AS ENUM ('ok', 'sad', 'happy');
CREATE TABLE diary (id integer PRIMARY KEY, feeling mood NOT NULL);
