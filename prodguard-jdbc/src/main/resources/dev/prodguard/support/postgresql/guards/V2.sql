-- prodguard guards objects, version 2, PostgreSQL: direct migration blocked (G6): prodguard_guard_config, prodguard_guard_check, prodguard_assert_deploy, prodguard_register_session.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V3.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE OR REPLACE FUNCTION prodguard_history_guard() RETURNS trigger LANGUAGE plpgsql AS $pg$ BEGIN PERFORM prodguard_guard_check('direct migration (' || TG_OP || ' on ' || TG_TABLE_NAME || ')'); RETURN NULL; END $pg$
;
DO $pg$ BEGIN EXECUTE format('ALTER FUNCTION prodguard_history_guard() SET search_path = %I, pg_temp', current_schema()); END $pg$
;
ALTER TABLE prodguard_audit ENABLE ALWAYS TRIGGER prodguard_audit_no_change
;
ALTER TABLE prodguard_audit ENABLE ALWAYS TRIGGER prodguard_audit_no_truncate
;
