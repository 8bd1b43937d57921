-- Planned: a partition of a table that has a DEFAULT partition becomes a
-- table of its own. PostgreSQL refuses DETACH ... CONCURRENTLY when the
-- parent has a DEFAULT partition, so the plan keeps the plain DETACH (a brief
-- ACCESS EXCLUSIVE on the parent) on every version.
CREATE TABLE measurements (id integer NOT NULL, taken date NOT NULL, value numeric) PARTITION BY RANGE (taken);
CREATE TABLE measurements_2023 PARTITION OF measurements FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE measurements_rest PARTITION OF measurements DEFAULT;
INSERT INTO measurements SELECT g, date '2023-01-01' + (g % 700), g FROM generate_series(1, 1000) g;
