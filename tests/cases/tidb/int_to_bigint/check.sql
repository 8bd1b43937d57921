SELECT COUNT(*) = 5 AND MAX(quantity) = 2147483647 AND SUM(quantity) = 2147483662 FROM line_items
