CREATE TABLE archive (id integer, payload text);
CREATE TABLE keep (id integer, old_name text);
