CREATE TABLE measurements (id integer NOT NULL, taken date NOT NULL, value numeric) PARTITION BY RANGE (taken);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- The 2023 rows are archived: the partition stays as a plain table.
CREATE TABLE measurements_2023 (id integer NOT NULL, taken date NOT NULL, value numeric);
