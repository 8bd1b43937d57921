CREATE TABLE public.authors (
    id integer NOT NULL,
    favourite_book integer,
    CONSTRAINT authors_pkey PRIMARY KEY (id)
);

CREATE TABLE public.books (
    id integer NOT NULL,
    author integer NOT NULL,
    CONSTRAINT books_pkey PRIMARY KEY (id)
);

ALTER TABLE public.authors ADD CONSTRAINT authors_favourite_book_fkey FOREIGN KEY (favourite_book) REFERENCES public.books(id);

ALTER TABLE public.books ADD CONSTRAINT books_author_fkey FOREIGN KEY (author) REFERENCES public.authors(id) ON DELETE CASCADE;
