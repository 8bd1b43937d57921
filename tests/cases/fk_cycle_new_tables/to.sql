CREATE TABLE unrelated (id integer);
CREATE TABLE authors (id integer PRIMARY KEY, favourite_book integer REFERENCES books (id));
CREATE TABLE books (id integer PRIMARY KEY, author integer NOT NULL REFERENCES authors (id) ON DELETE CASCADE);
