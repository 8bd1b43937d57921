-- Every existing row got its own value of the default (not one shared value).
SELECT count(*) = 1000 AND count(score) = 1000 AND count(DISTINCT score) > 900
   AND bool_and(user_name = 'user ' || id) FROM sessions;
