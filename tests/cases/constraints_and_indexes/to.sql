CREATE TABLE teams (id integer PRIMARY KEY, name text NOT NULL CONSTRAINT teams_name_key UNIQUE);
CREATE TABLE players (
  id integer PRIMARY KEY,
  team_id integer CONSTRAINT players_team_fk REFERENCES teams (id) ON DELETE SET NULL,
  jersey integer CONSTRAINT jersey_range CHECK (jersey BETWEEN 1 AND 99),
  nick text
);
CREATE INDEX players_nick_idx ON players (lower(nick)) WHERE nick IS NOT NULL;
CREATE UNIQUE INDEX players_team_jersey_idx ON players (team_id, jersey);
COMMENT ON INDEX players_team_jersey_idx IS 'one jersey number per team';
