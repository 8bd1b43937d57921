-- The detached table keeps the 2023 rows, the partitioned table the rest.
SELECT (SELECT count(*) FROM measurements_2023) = (SELECT count(*) FROM generate_series(1, 1000) g WHERE g % 700 < 365)
   AND (SELECT count(*) FROM measurements) = (SELECT count(*) FROM generate_series(1, 1000) g WHERE g % 700 >= 365)
   AND (SELECT NOT relispartition FROM pg_class WHERE oid = 'public.measurements_2023'::regclass);
