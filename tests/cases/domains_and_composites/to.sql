CREATE DOMAIN positive_int AS integer DEFAULT 1 NOT NULL CONSTRAINT positive_int_small CHECK (VALUE < 1000000) CONSTRAINT positive_int_check CHECK (VALUE > 0);
CREATE TYPE address AS (street text, city text, zip character varying(10));
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
COMMENT ON DOMAIN email IS 'an e-mail address';
CREATE TABLE shops (id positive_int PRIMARY KEY, addr address, contact email);
