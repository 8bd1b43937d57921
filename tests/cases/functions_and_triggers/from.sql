CREATE TABLE items (id integer PRIMARY KEY, price numeric, updated_at timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE FUNCTION price_with_tax(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p * 1.2 $$;
CREATE FUNCTION item_count() RETURNS integer LANGUAGE sql STABLE AS $$ SELECT count(*)::integer FROM items $$;
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW priced AS SELECT id, price_with_tax(price) AS gross FROM items;
CREATE VIEW stats AS SELECT item_count() AS n;
