-- prodguard pipeline objects, version 1, PostgreSQL: pipeline state (G7, G8): prodguard_schema, prodguard_run, prodguard_session.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V2.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_schema ( component varchar(64) PRIMARY KEY, version integer NOT NULL, installed_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))
;
CREATE TABLE IF NOT EXISTS prodguard_run ( id varchar(40) PRIMARY KEY, environment varchar(64) NOT NULL, status varchar(16) NOT NULL CHECK (status IN ('verified', 'backed_up', 'deploying', 'deployed', 'failed', 'expired')), migration_set_sha256 char(64) NOT NULL, migration_count integer NOT NULL, migrations text NOT NULL, contract_sha256 varchar(64), commit_sha varchar(64), ci_subject varchar(512) NOT NULL, created_by varchar(255) NOT NULL, created_at timestamp NOT NULL, verified_at timestamp NOT NULL, verification_expires_at timestamp NOT NULL, backup_path varchar(1024), backup_size bigint, backup_sha256 char(64), backup_duration_ms bigint, backed_up_at timestamp, backup_expires_at timestamp, expires_at timestamp NOT NULL, deploy_started_at timestamp, deploy_session varchar(64), deploy_host varchar(255), approval_token_sha256 char(64), finished_at timestamp, receipt text, failure text, updated_at timestamp NOT NULL)
;
CREATE INDEX IF NOT EXISTS prodguard_run_env_created ON prodguard_run (environment, created_at)
;
