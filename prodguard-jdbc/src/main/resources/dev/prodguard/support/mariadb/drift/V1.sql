-- prodguard drift objects, version 1, MySQL/MariaDB: prodguard_schema_digest, the schema each
-- deploy left (and each accepted drift), so verify can tell a change made outside the pipeline
-- (G7, docs/drift.md). Like every prodguard table, only the deploying account may write it (G6
-- role split, checked by verify and deploy). Never edit a released version; add V2.sql
-- (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_schema_digest ( id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, environment VARCHAR(64) NOT NULL, origin VARCHAR(16) NOT NULL CHECK (origin IN ('deploy', 'accepted')), run_id VARCHAR(40), schema_sha256 CHAR(64) NOT NULL, object_count INT NOT NULL, description LONGTEXT NOT NULL, reason LONGTEXT, recorded_by VARCHAR(512) NOT NULL, recorded_at DATETIME(6) NOT NULL, KEY prodguard_schema_digest_env (environment, id)) ENGINE=InnoDB
;
