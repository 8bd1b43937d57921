CREATE TABLE line_items (id bigint PRIMARY KEY, quantity int4 NOT NULL, note text);
