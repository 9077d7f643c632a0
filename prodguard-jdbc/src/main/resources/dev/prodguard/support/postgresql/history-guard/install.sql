-- prodguard G6 guard on the migration tool's history table; placeholders: table (its quoted name), table_literal (its name inside a string literal) (PostgreSQL).
-- Run whenever the guard is (re)installed. Statements end with a line holding only ';'.
DROP TRIGGER IF EXISTS prodguard_history_guard ON ${table}
;
CREATE TRIGGER prodguard_history_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION prodguard_history_guard()
;
ALTER TABLE ${table} ENABLE ALWAYS TRIGGER prodguard_history_guard
;
