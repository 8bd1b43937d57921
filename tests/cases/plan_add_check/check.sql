SELECT (SELECT convalidated FROM pg_constraint WHERE conname = 'orders_total_check')
   AND (SELECT count(*) = 1000 FROM orders);
