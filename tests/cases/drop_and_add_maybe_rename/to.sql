CREATE TABLE archive_v2 (id integer, payload text);
CREATE TABLE keep (id integer, new_name text);
