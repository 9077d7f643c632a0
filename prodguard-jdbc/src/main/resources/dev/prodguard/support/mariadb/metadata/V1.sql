-- prodguard metadata objects, version 1, MySQL/MariaDB: environment fingerprint (G2): database_metadata.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V2.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE database_metadata ( id INT NOT NULL PRIMARY KEY CHECK (id = 1), environment VARCHAR(64) NOT NULL, fingerprint VARCHAR(130) NOT NULL, server_identity VARCHAR(512) NOT NULL, created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), created_by VARCHAR(255) NOT NULL) ENGINE=InnoDB
;
