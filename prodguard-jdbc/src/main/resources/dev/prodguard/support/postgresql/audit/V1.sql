-- prodguard audit objects, version 1, PostgreSQL: tamper-evident audit (G10): prodguard_audit.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V2.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_audit ( seq bigint PRIMARY KEY, at text NOT NULL, os_user text NOT NULL, host text NOT NULL, ci_subject text, command text NOT NULL, environment text NOT NULL, run_id text, migration_set text, outcome text NOT NULL, details text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL)
;
CREATE OR REPLACE FUNCTION prodguard_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'prodguard: prodguard_audit is append-only (G10 tamper-evident audit)' USING ERRCODE = 'insufficient_privilege'; END $$
;
DROP TRIGGER IF EXISTS prodguard_audit_no_change ON prodguard_audit
;
CREATE TRIGGER prodguard_audit_no_change BEFORE UPDATE OR DELETE ON prodguard_audit FOR EACH ROW EXECUTE FUNCTION prodguard_audit_append_only()
;
DROP TRIGGER IF EXISTS prodguard_audit_no_truncate ON prodguard_audit
;
CREATE TRIGGER prodguard_audit_no_truncate BEFORE TRUNCATE ON prodguard_audit FOR EACH STATEMENT EXECUTE FUNCTION prodguard_audit_append_only()
;
