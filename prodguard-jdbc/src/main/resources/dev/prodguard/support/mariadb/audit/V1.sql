-- prodguard audit objects, version 1, MySQL/MariaDB: tamper-evident audit (G10): prodguard_audit.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V2.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_audit ( seq BIGINT NOT NULL PRIMARY KEY, at VARCHAR(40) NOT NULL, os_user VARCHAR(255) NOT NULL, host VARCHAR(255) NOT NULL, ci_subject VARCHAR(512), command VARCHAR(255) NOT NULL, environment VARCHAR(64) NOT NULL, run_id VARCHAR(64), migration_set VARCHAR(64), outcome VARCHAR(64) NOT NULL, details LONGTEXT NOT NULL, prev_hash CHAR(64) NOT NULL, hash CHAR(64) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
;
CREATE TRIGGER IF NOT EXISTS prodguard_audit_no_update BEFORE UPDATE ON prodguard_audit FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'prodguard: prodguard_audit is append-only (G10 tamper-evident audit)'
;
CREATE TRIGGER IF NOT EXISTS prodguard_audit_no_delete BEFORE DELETE ON prodguard_audit FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'prodguard: prodguard_audit is append-only (G10 tamper-evident audit)'
;
