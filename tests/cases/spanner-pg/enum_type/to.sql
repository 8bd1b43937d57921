CREATE TYPE mood AS ENUM ('ok', 'sad', 'happy');
CREATE TABLE diary (id bigint PRIMARY KEY, feeling mood NOT NULL);
