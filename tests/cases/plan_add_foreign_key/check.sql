-- The constraint ends validated; the rows are all there.
SELECT (SELECT convalidated FROM pg_constraint WHERE conname = 'orders_customer_id_fkey')
   AND (SELECT count(*) = 1000 FROM orders) AND (SELECT count(*) = 100 FROM customers);
