-- issue 12: the audit chain, the fingerprint and the history are not the migration's to change
SET session_replication_role = replica;
DELETE FROM prodguard_audit;
UPDATE database_metadata SET fingerprint = 'prod-0000000000000000' WHERE id = 1;
DELETE FROM flyway_schema_history WHERE version = '7';
ALTER TABLE prodguard_audit DISABLE TRIGGER ALL;
ALTER EVENT TRIGGER prodguard_ddl_guard DISABLE;
DROP EVENT TRIGGER IF EXISTS prodguard_ddl_guard;
CREATE OR REPLACE FUNCTION prodguard_assert_deploy() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$;
DROP TRIGGER prodguard_audit_append_only ON prodguard_audit;
SELECT set_config('session_replication_role', 'replica', false);
DO $$ BEGIN EXECUTE 'TRUNCATE ' || 'prodguard_run'; END $$;
ALTER TABLE app."PRODGUARD_SESSION" RENAME TO old_sessions;
INSERT INTO prodguard_run (id) VALUES ('forged');
GRANT INSERT ON prodguard_audit TO app;
COMMENT ON TABLE database_metadata IS 'mine now';
CREATE TABLE public.database_metadata (id int);
CREATE FUNCTION cleanup() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM prodguard_session;
END $$;
SELECT cleanup();
SET LOCAL session_replication_role TO replica;
ALTER ROLE app SET session_replication_role = replica;
ALTER TABLE orders DISABLE TRIGGER USER;
ALTER TABLE public.orders DISABLE TRIGGER ALL;
ALTER TABLE orders ENABLE TRIGGER ALL;
ALTER TABLE orders ENABLE ALWAYS TRIGGER USER;
ALTER TABLE ONLY orders ENABLE REPLICA TRIGGER ALL;
