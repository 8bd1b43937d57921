CREATE TABLE teams (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE players (
  id integer PRIMARY KEY,
  team_id integer CONSTRAINT players_team_fk REFERENCES teams (id),
  jersey integer CONSTRAINT jersey_range CHECK (jersey > 0),
  nick text
);
CREATE INDEX players_nick_idx ON players (nick);
CREATE INDEX players_team_idx ON players (team_id);
