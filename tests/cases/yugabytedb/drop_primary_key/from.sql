CREATE TABLE events (
  id bigint NOT NULL,
  CONSTRAINT events_pkey PRIMARY KEY (id)
);
