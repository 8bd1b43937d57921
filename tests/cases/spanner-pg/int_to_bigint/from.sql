CREATE TABLE line_items (id bigint PRIMARY KEY, quantity integer NOT NULL, note text);
