CREATE TABLE measurements (id integer NOT NULL, taken date NOT NULL, value numeric) PARTITION BY RANGE (taken);
CREATE TABLE measurements_rest PARTITION OF measurements DEFAULT;
-- The 2023 rows are archived: the partition stays as a plain table.
CREATE TABLE measurements_2023 (id integer NOT NULL, taken date NOT NULL, value numeric);
