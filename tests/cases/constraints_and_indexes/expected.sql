ALTER TABLE public.players DROP CONSTRAINT players_team_fk;

ALTER TABLE public.players DROP CONSTRAINT jersey_range;

DROP INDEX public.players_nick_idx;

DROP INDEX public.players_team_idx;

ALTER TABLE public.players ADD CONSTRAINT jersey_range CHECK (jersey BETWEEN 1 AND 99);

ALTER TABLE public.teams ADD CONSTRAINT teams_name_key UNIQUE (name);

CREATE INDEX players_nick_idx ON public.players ((lower(nick))) WHERE (nick IS NOT NULL);

CREATE UNIQUE INDEX players_team_jersey_idx ON public.players (team_id, jersey);
COMMENT ON INDEX public.players_team_jersey_idx IS 'one jersey number per team';

ALTER TABLE public.players ADD CONSTRAINT players_team_fk FOREIGN KEY (team_id) REFERENCES public.teams(id) ON DELETE SET NULL;
