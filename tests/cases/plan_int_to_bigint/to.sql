CREATE TABLE line_items (id integer PRIMARY KEY, quantity bigint NOT NULL, note text);
