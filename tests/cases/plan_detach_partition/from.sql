-- Planned: a partition becomes a table of its own: DETACH PARTITION
-- CONCURRENTLY where the server has it (14+), a plain DETACH on 12.
CREATE TABLE measurements (id integer NOT NULL, taken date NOT NULL, value numeric) PARTITION BY RANGE (taken);
CREATE TABLE measurements_2023 PARTITION OF measurements FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO measurements SELECT g, date '2023-01-01' + (g % 700), g FROM generate_series(1, 1000) g;
