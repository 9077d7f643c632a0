-- prodguard sync objects, version 1, MySQL/MariaDB: sync before-images: prodguard_sync_change.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V2.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_sync_change ( run_id VARCHAR(64) NOT NULL, seq BIGINT NOT NULL, table_name VARCHAR(255) NOT NULL, op VARCHAR(16) NOT NULL, row_key LONGTEXT NOT NULL, before_image LONGTEXT, after_image LONGTEXT, PRIMARY KEY (run_id, seq)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
;
