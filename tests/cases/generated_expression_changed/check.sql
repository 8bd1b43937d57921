SELECT count(*) = 2000 AND bool_and(total_cents = quantity * unit_cents + 25) FROM line_items;
