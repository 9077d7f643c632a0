-- prodguard pipeline objects, version 2, MySQL/MariaDB: pipeline state (G7, G8): prodguard_schema, prodguard_run, prodguard_session.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V3.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_session ( session_id BIGINT UNSIGNED NOT NULL PRIMARY KEY, run_id VARCHAR(40) NOT NULL, session_started DATETIME(6) NULL, token_sha256 CHAR(64) NOT NULL, registered_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6)) ENGINE=InnoDB
;
