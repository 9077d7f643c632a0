-- prodguard G6 guard on the migration tool's history table; placeholders: table (its quoted name), table_literal (its name inside a string literal) (MySQL/MariaDB).
-- Run whenever the guard is (re)installed. Statements end with a line holding only ';'.
CREATE TRIGGER IF NOT EXISTS prodguard_history_no_insert BEFORE INSERT ON ${table} FOR EACH ROW CALL prodguard_guard_check('direct migration (INSERT on ${table_literal})')
;
CREATE TRIGGER IF NOT EXISTS prodguard_history_no_update BEFORE UPDATE ON ${table} FOR EACH ROW CALL prodguard_guard_check('direct migration (UPDATE on ${table_literal})')
;
CREATE TRIGGER IF NOT EXISTS prodguard_history_no_delete BEFORE DELETE ON ${table} FOR EACH ROW CALL prodguard_guard_check('direct migration (DELETE on ${table_literal})')
;
