SELECT count(*) = 1000 AND bool_and(gross_cents = net_cents + tax_cents) FROM orders;
