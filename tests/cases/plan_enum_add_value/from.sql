-- Planned: ALTER TYPE ... ADD VALUE (outside a transaction block where the
-- server version requires it).
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE diary (id integer PRIMARY KEY, feeling mood NOT NULL);
INSERT INTO diary SELECT g, CASE WHEN g % 2 = 0 THEN 'ok' ELSE 'sad' END::mood FROM generate_series(1, 1000) g;
