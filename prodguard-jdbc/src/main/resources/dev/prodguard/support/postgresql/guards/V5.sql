-- prodguard guards objects, version 5, PostgreSQL: the TRUNCATE guard. TRUNCATE is no DDL, so
-- the event triggers never see it, and a migration Flyway runs outside a transaction from a
-- folder without the callback commits it before the history guard refuses the migration's row
-- (attacker 11). prodguard_truncate_guard() is a BEFORE TRUNCATE statement trigger's function that
-- asks the same decision as every guard (prodguard_guard_check): only a session registered to a
-- running, approved deploy passes on a protected environment. The DDL guard's installer
-- (ddl-guard/install.sql, superuser) puts it on every existing application table, and the event
-- trigger prodguard_ddl_guard_end keeps it on each table created later
-- (prodguard_truncate_guard_keep()). Never edit a released version; add V6.sql
-- (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE OR REPLACE FUNCTION prodguard_truncate_guard() RETURNS trigger LANGUAGE plpgsql AS $pg$ BEGIN PERFORM prodguard_guard_check('TRUNCATE of ' || quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME)); RETURN NULL; END $pg$
;
CREATE OR REPLACE FUNCTION prodguard_truncate_guard_keep() RETURNS event_trigger LANGUAGE plpgsql AS $pg$
DECLARE r record;
BEGIN
  FOR r IN SELECT DISTINCT c.oid::regclass::text AS rel
             FROM pg_catalog.pg_event_trigger_ddl_commands() d
             JOIN pg_catalog.pg_class c ON c.oid = d.objid AND d.classid = 'pg_catalog.pg_class'::regclass
            WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
              AND c.relname NOT LIKE 'prodguard\_%' AND c.relname <> 'database_metadata'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                              WHERE g.tgrelid = c.oid AND g.tgname = 'prodguard_truncate_guard') LOOP
    EXECUTE format('CREATE TRIGGER prodguard_truncate_guard BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION prodguard_truncate_guard()', r.rel);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER prodguard_truncate_guard', r.rel);
  END LOOP;
END
$pg$
;
DO $pg$ BEGIN EXECUTE format('ALTER FUNCTION prodguard_truncate_guard() SET search_path = %I, pg_temp', current_schema()); EXECUTE format('ALTER FUNCTION prodguard_truncate_guard_keep() SET search_path = %I, pg_temp', current_schema()); END $pg$
;
