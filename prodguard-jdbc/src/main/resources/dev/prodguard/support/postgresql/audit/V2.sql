-- prodguard audit objects, version 2, PostgreSQL: tamper-evident audit (G10): prodguard_audit.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V3.sql (docs/database-objects.md). Statements end with a line holding only ';'.
REVOKE ALL ON prodguard_audit FROM PUBLIC
;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON prodguard_audit FROM CURRENT_USER
;
GRANT SELECT, INSERT ON prodguard_audit TO CURRENT_USER
;
