SELECT count(*) = 1000 AND bool_and(status = 'open') AND bool_and(title = 'ticket ' || id) FROM tickets;
