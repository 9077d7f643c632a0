-- prodguard pipeline objects, version 2, PostgreSQL: pipeline state (G7, G8): prodguard_schema, prodguard_run, prodguard_session.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V3.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_session ( session_id bigint PRIMARY KEY, run_id varchar(40) NOT NULL, session_started timestamptz, token_sha256 char(64) NOT NULL, registered_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))
;
