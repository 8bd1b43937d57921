SELECT COUNT(*) = 5 AND COUNT(DISTINCT public_id) = 5 AND MIN(CHAR_LENGTH(public_id)) = 36
   AND SUM(loyalty_tier) = 0 FROM customers
