-- prodguard guards objects, version 1, PostgreSQL: direct migration blocked (G6): prodguard_guard_config, prodguard_guard_check, prodguard_assert_deploy, prodguard_register_session.
-- Installed once per database and recorded in prodguard_schema: never edit a released version,
-- add V2.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE TABLE IF NOT EXISTS prodguard_guard_config ( id integer PRIMARY KEY CHECK (id = 1), protected boolean NOT NULL, updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'), updated_by text NOT NULL)
;
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
    RAISE EXCEPTION 'prodguard: % blocked on protected environment ''%'': run ''prodguard deploy %'' from CI', what, env, env USING ERRCODE = 'insufficient_privilege', HINT = 'G6 direct migration blocked: only the connections that prodguard deploy hands to Flyway for a running, approved deploy may change this database (see docs/g6-direct-migration.md)';
  END IF;
END
$pg$
;
CREATE OR REPLACE FUNCTION prodguard_assert_deploy() RETURNS void LANGUAGE plpgsql AS $pg$ BEGIN PERFORM prodguard_guard_check('direct migration'); END $pg$
;
CREATE OR REPLACE FUNCTION prodguard_ddl_guard() RETURNS event_trigger LANGUAGE plpgsql AS $pg$ BEGIN PERFORM prodguard_guard_check('DDL (' || tg_tag || ')'); END $pg$
;
CREATE OR REPLACE FUNCTION prodguard_register_session(p_run text, p_token text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $pg$
DECLARE h text := encode(sha256(convert_to(p_token, 'UTF8')), 'hex');
BEGIN
  IF NOT EXISTS (SELECT 1 FROM prodguard_run r WHERE r.id = p_run AND r.status = 'deploying' AND r.approval_token_sha256 = h) THEN
    RAISE EXCEPTION 'prodguard: cannot register this session: run % is not being deployed with this approval', p_run USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO prodguard_session (session_id, run_id, session_started, token_sha256) VALUES (pg_backend_pid(), p_run, (SELECT a.backend_start FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()), h) ON CONFLICT (session_id) DO UPDATE SET run_id = EXCLUDED.run_id, session_started = EXCLUDED.session_started, token_sha256 = EXCLUDED.token_sha256, registered_at = now() AT TIME ZONE 'UTC';
END
$pg$
;
DO $pg$ BEGIN EXECUTE format('ALTER FUNCTION prodguard_guard_check(text) SET search_path = %I, pg_temp', current_schema()); EXECUTE format('ALTER FUNCTION prodguard_assert_deploy() SET search_path = %I, pg_temp', current_schema()); EXECUTE format('ALTER FUNCTION prodguard_ddl_guard() SET search_path = %I, pg_temp', current_schema()); EXECUTE format('ALTER FUNCTION prodguard_register_session(text, text) SET search_path = %I, pg_temp', current_schema()); END $pg$
;
