SELECT enum_range(NULL::mood)::text = '{ok,sad,happy}' AND (SELECT count(*) = 500 FROM diary WHERE feeling = 'ok');
