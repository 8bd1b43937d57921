CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TYPE address AS (street text, city text);
CREATE TABLE shops (id positive_int PRIMARY KEY, addr address);
