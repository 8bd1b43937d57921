SELECT SUM(status = 'active') = 2 AND SUM(status = 'blocked') = 1 FROM customers
