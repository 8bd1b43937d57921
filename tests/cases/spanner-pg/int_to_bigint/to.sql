CREATE TABLE line_items (id bigint PRIMARY KEY, quantity bigint NOT NULL, note text);
