-- prodguard G6 DDL guard: event triggers (PostgreSQL, superuser) (PostgreSQL).
-- Run whenever the guard is (re)installed. Statements end with a line holding only ';'.
DROP EVENT TRIGGER IF EXISTS prodguard_ddl_guard
;
DROP EVENT TRIGGER IF EXISTS prodguard_ddl_guard_drop
;
CREATE EVENT TRIGGER prodguard_ddl_guard ON ddl_command_start EXECUTE FUNCTION prodguard_ddl_guard()
;
CREATE EVENT TRIGGER prodguard_ddl_guard_drop ON sql_drop EXECUTE FUNCTION prodguard_ddl_guard()
;
ALTER EVENT TRIGGER prodguard_ddl_guard ENABLE ALWAYS
;
ALTER EVENT TRIGGER prodguard_ddl_guard_drop ENABLE ALWAYS
;
