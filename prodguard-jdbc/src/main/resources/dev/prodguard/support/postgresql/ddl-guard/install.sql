-- prodguard G6 DDL guard: event triggers (PostgreSQL, superuser) (PostgreSQL).
-- Run whenever the guard is (re)installed. Statements end with a line holding only ';'.
DROP EVENT TRIGGER IF EXISTS prodguard_ddl_guard
;
DROP EVENT TRIGGER IF EXISTS prodguard_ddl_guard_drop
;
DROP EVENT TRIGGER IF EXISTS prodguard_ddl_guard_end
;
-- the TRUNCATE guard (guards version 5) on every application table that exists now: not
-- prodguard's own (their own triggers refuse TRUNCATE), not an extension's, not temporary
DO $pg$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.oid::regclass::text AS rel
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
              AND c.relname NOT LIKE 'prodguard\_%' AND c.relname <> 'database_metadata'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                              WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid
                                AND e.deptype = 'e')
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                              WHERE g.tgrelid = c.oid AND g.tgname = 'prodguard_truncate_guard') LOOP
    EXECUTE format('CREATE TRIGGER prodguard_truncate_guard BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION prodguard_truncate_guard()', r.rel);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER prodguard_truncate_guard', r.rel);
  END LOOP;
END
$pg$
;
CREATE EVENT TRIGGER prodguard_ddl_guard ON ddl_command_start EXECUTE FUNCTION prodguard_ddl_guard()
;
CREATE EVENT TRIGGER prodguard_ddl_guard_drop ON sql_drop EXECUTE FUNCTION prodguard_ddl_guard()
;
CREATE EVENT TRIGGER prodguard_ddl_guard_end ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') EXECUTE FUNCTION prodguard_truncate_guard_keep()
;
ALTER EVENT TRIGGER prodguard_ddl_guard ENABLE ALWAYS
;
ALTER EVENT TRIGGER prodguard_ddl_guard_drop ENABLE ALWAYS
;
ALTER EVENT TRIGGER prodguard_ddl_guard_end ENABLE ALWAYS
;
