SELECT count(*) = 500 AND bool_and(email_lower = lower(email)) FROM accounts;
