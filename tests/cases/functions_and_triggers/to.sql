CREATE TABLE items (id integer PRIMARY KEY, price numeric, updated_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;
COMMENT ON FUNCTION touch() IS 'sets updated_at';
CREATE FUNCTION price_with_tax(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p * 1.25 $$;
CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM items $$;
CREATE TRIGGER items_touch BEFORE INSERT OR UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW priced AS SELECT id, price_with_tax(price) AS gross FROM items;
CREATE VIEW stats AS SELECT item_count() AS n;
