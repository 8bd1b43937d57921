CREATE TABLE invoices (id bigint PRIMARY KEY, amount bigint NOT NULL, note text);
