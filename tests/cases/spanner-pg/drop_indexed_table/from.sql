CREATE TABLE people (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE audit_log (id bigint PRIMARY KEY, actor text NOT NULL, happened timestamp with time zone NOT NULL);
CREATE INDEX audit_log_actor_idx ON audit_log (actor);
CREATE INDEX audit_log_happened_idx ON audit_log (happened);
