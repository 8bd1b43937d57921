CREATE TABLE events (
  id bigint NOT NULL,
  kind text NOT NULL,
  CONSTRAINT events_pkey PRIMARY KEY (id)
);
