-- prodguard guards objects, version 4, PostgreSQL: the refusal of prodguard_guard_check names the
-- command that deploys, 'prodguard promote ENV' (verify, backup, deploy), not 'prodguard deploy
-- ENV', which alone is refused without a verified, backed-up run. The function is otherwise
-- version 1's; CREATE OR REPLACE drops its settings, so its search_path is set again.
-- Never edit a released version; add V5.sql (docs/database-objects.md). Statements end with a
-- line holding only ';'.
CREATE OR REPLACE FUNCTION prodguard_guard_check(what text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $pg$
DECLARE env text; prot boolean; approved boolean;
BEGIN
  BEGIN
    SELECT m.environment INTO env FROM database_metadata m WHERE m.id = 1;
    SELECT g.protected INTO prot FROM prodguard_guard_config g WHERE g.id = 1;
    IF env IS NULL OR prot IS NULL THEN
      RAISE EXCEPTION 'prodguard: % blocked: database_metadata or prodguard_guard_config is empty, so nothing says this database may be changed', what USING ERRCODE = 'insufficient_privilege', HINT = 'G6 direct migration blocked: only the connections that prodguard deploy hands to Flyway for a running, approved deploy may change this database (see docs/g6-direct-migration.md)';
    END IF;
    IF NOT prot THEN RETURN; END IF;
    SELECT EXISTS (SELECT 1 FROM prodguard_session s JOIN prodguard_run r ON r.id = s.run_id WHERE s.session_id = pg_backend_pid() AND s.session_started IS NOT DISTINCT FROM (SELECT a.backend_start FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()) AND r.status = 'deploying' AND r.environment = env AND r.approval_token_sha256 = s.token_sha256 AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()) AND l.classid = 1886547812 AND l.objid = 1685089401 AND l.objsubid = 2 AND l.pid::text = r.deploy_session)) INTO approved;
  EXCEPTION WHEN undefined_table OR undefined_column THEN
    RAISE EXCEPTION 'prodguard: % blocked: prodguard''s guard objects are missing or damaged (%)', what, SQLERRM USING ERRCODE = 'insufficient_privilege', HINT = 'G6 direct migration blocked: only the connections that prodguard deploy hands to Flyway for a running, approved deploy may change this database (see docs/g6-direct-migration.md)';
  END;
  IF NOT approved THEN
    RAISE EXCEPTION 'prodguard: % blocked on protected environment ''%'': run ''prodguard promote %'' from CI', what, env, env USING ERRCODE = 'insufficient_privilege', HINT = 'G6 direct migration blocked: only the connections that prodguard deploy hands to Flyway for a running, approved deploy may change this database (see docs/g6-direct-migration.md)';
  END IF;
END
$pg$
;
DO $pg$ BEGIN EXECUTE format('ALTER FUNCTION prodguard_guard_check(text) SET search_path = %I, pg_temp', current_schema()); END $pg$
;
