-- prodguard guards objects, version 3, PostgreSQL: only the owners write prodguard's tables.
-- An application role holding INSERT, UPDATE or DELETE on every table of the schema (GRANT ... ON
-- ALL TABLES, default privileges) must not be able to switch protection off in
-- prodguard_guard_config or forge an approved session in prodguard_run / prodguard_session.
-- Every write (and TRUNCATE) of a prodguard table passes only for a role that is, or inherits,
-- the table's owner or the database's owner (superusers always do), and for prodguard's
-- SECURITY DEFINER routines, which run as the owner. Triggers enabled ALWAYS, so
-- session_replication_role = replica does not skip them. Never edit a released version; add
-- V4.sql (docs/database-objects.md). Statements end with a line holding only ';'.
CREATE OR REPLACE FUNCTION prodguard_owner_write() RETURNS trigger LANGUAGE plpgsql AS $pg$
BEGIN
  IF pg_has_role(current_user,
                 (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'USAGE')
     OR pg_has_role(current_user,
                 (SELECT d.datdba FROM pg_catalog.pg_database d
                  WHERE d.datname = current_database()), 'USAGE') THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'prodguard: % on % refused: only the owner of prodguard''s tables or of the database writes them (G6 direct migration blocked; role %)', TG_OP, TG_TABLE_NAME, current_user
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'prodguard writes its tables with the credential that installed them (docs/g6-direct-migration.md)';
END
$pg$
;
DO $pg$ BEGIN
  EXECUTE format('ALTER FUNCTION prodguard_owner_write() SET search_path = %I, pg_temp', current_schema());
END $pg$
;
DO $pg$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['database_metadata', 'prodguard_schema', 'prodguard_run',
                           'prodguard_session', 'prodguard_audit', 'prodguard_sync_change',
                           'prodguard_guard_config'] LOOP
    IF to_regclass(format('%I.%I', current_schema(), t)) IS NOT NULL THEN
      EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', t);
      IF t = 'prodguard_audit' THEN
        -- audit version 2 took TRIGGER from its owner: lent for this one statement
        EXECUTE format('GRANT TRIGGER ON %I TO CURRENT_USER', t);
      END IF;
      EXECUTE format('DROP TRIGGER IF EXISTS prodguard_owner_write ON %I', t);
      EXECUTE format('CREATE TRIGGER prodguard_owner_write BEFORE INSERT OR UPDATE OR DELETE'
                     ' OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION prodguard_owner_write()', t);
      EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER prodguard_owner_write', t);
      IF t = 'prodguard_audit' THEN
        EXECUTE format('REVOKE TRIGGER ON %I FROM CURRENT_USER', t);
      END IF;
    END IF;
  END LOOP;
END
$pg$
;
-- A deploying run whose deploy session no longer holds the deploy lock (the process was killed)
-- is marked failed by the next prodguard command, status included, which may connect with a role
-- that does not own prodguard's tables; the check and the write run here, as the owner. Returns
-- how many runs it marked (0 or 1).
CREATE OR REPLACE FUNCTION prodguard_mark_stale(p_run text, p_failure text, p_now timestamp)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER AS $pg$
DECLARE n integer;
BEGIN
  UPDATE prodguard_run r SET status = 'failed', failure = p_failure, finished_at = p_now,
         updated_at = p_now
  WHERE r.id = p_run AND r.status = 'deploying'
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks l
                    WHERE l.locktype = 'advisory' AND l.granted
                      AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                                        WHERE d.datname = current_database())
                      AND l.classid = 1886547812 AND l.objid = 1685089401 AND l.objsubid = 2
                      AND l.pid::text = r.deploy_session);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$pg$
;
DO $pg$ BEGIN
  EXECUTE format('ALTER FUNCTION prodguard_mark_stale(text, text, timestamp) SET search_path = %I, pg_temp', current_schema());
END $pg$
;
