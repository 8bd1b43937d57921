CREATE TABLE secrets (id integer PRIMARY KEY, owner name NOT NULL, body text);
ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON secrets FOR SELECT USING (owner = current_user);
