package dev.prodguard.support.postgresql;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.DdlGuardSql;
import dev.prodguard.support.DumpTool;
import dev.prodguard.support.HistoryGuardSql;
import dev.prodguard.support.InvalidIndexes;
import dev.prodguard.support.SchemaGrants;
import dev.prodguard.support.SessionWaits;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;

/** PostgreSQL. */
public final class PostgresSupport implements DatabaseSupport {
  /** The one instance; reached through {@link dev.prodguard.support.DatabaseSupport#of}. */
  public static final PostgresSupport INSTANCE = new PostgresSupport();

  private PostgresSupport() {}

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.POSTGRESQL;
  }

  @Override
  public Driver driver() {
    return new org.postgresql.Driver();
  }

  @Override
  public String connectTimeoutProperty() {
    return "connectTimeout";
  }

  @Override
  public String connectTimeoutValue(int seconds) {
    return Integer.toString(seconds);
  }

  /** {@code system_identifier} survives renames but differs on every initdb, restores included. */
  @Override
  public String serverIdentityExpression(Connection connection) {
    return "'postgresql:' || (SELECT system_identifier::text FROM pg_control_system())"
        + " || '/' || current_database()";
  }

  @Override
  public List<String> createMetadataTable() {
    return List.of(
        "CREATE TABLE database_metadata ("
            + " id integer PRIMARY KEY CHECK (id = 1),"
            + " environment text NOT NULL,"
            + " fingerprint text NOT NULL,"
            + " server_identity text NOT NULL,"
            + " created_at timestamptz NOT NULL DEFAULT now(),"
            + " created_by text NOT NULL)");
  }

  @Override
  public List<String> auditObjects(int version) {
    if (version == 2) {
      // G10: whoever runs prodguard (normally the table's owner) keeps SELECT and INSERT only; a
      // superuser or an owner who grants itself the rights back can still edit, audit verify shows
      // it.
      return List.of(
          "REVOKE ALL ON prodguard_audit FROM PUBLIC",
          "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON prodguard_audit FROM"
              + " CURRENT_USER",
          "GRANT SELECT, INSERT ON prodguard_audit TO CURRENT_USER");
    }
    if (version != 1) {
      return List.of();
    }
    return List.of(
        "CREATE TABLE IF NOT EXISTS prodguard_audit ("
            + " seq bigint PRIMARY KEY,"
            + " at text NOT NULL,"
            + " os_user text NOT NULL,"
            + " host text NOT NULL,"
            + " ci_subject text,"
            + " command text NOT NULL,"
            + " environment text NOT NULL,"
            + " run_id text,"
            + " migration_set text,"
            + " outcome text NOT NULL,"
            + " details text NOT NULL,"
            + " prev_hash text NOT NULL,"
            + " hash text NOT NULL)",
        // Append-only in the database itself: an owner can still disable this, audit verify
        // then shows what changed.
        "CREATE OR REPLACE FUNCTION prodguard_audit_append_only() RETURNS trigger"
            + " LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
            + " 'prodguard: prodguard_audit is append-only (G10 tamper-evident audit)'"
            + " USING ERRCODE = 'insufficient_privilege'; END $$",
        "DROP TRIGGER IF EXISTS prodguard_audit_no_change ON prodguard_audit",
        "CREATE TRIGGER prodguard_audit_no_change BEFORE UPDATE OR DELETE ON prodguard_audit"
            + " FOR EACH ROW EXECUTE FUNCTION prodguard_audit_append_only()",
        "DROP TRIGGER IF EXISTS prodguard_audit_no_truncate ON prodguard_audit",
        "CREATE TRIGGER prodguard_audit_no_truncate BEFORE TRUNCATE ON prodguard_audit"
            + " FOR EACH STATEMENT EXECUTE FUNCTION prodguard_audit_append_only()");
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  @Override
  public String asText(String column) {
    return column + "::text";
  }

  @Override
  public boolean isUndefinedTable(SQLException e) {
    return "42P01".equals(e.getSQLState());
  }

  @Override
  public boolean isUndefinedColumn(SQLException e) {
    return "42703".equals(e.getSQLState());
  }

  // The deploy lock: the two-key form (objsubid 2) never collides with Flyway's own one-key lock.
  private static final String LOCK_KEYS = "1886547812, 1685089401";

  @Override
  public List<String> pipelineObjects(int version) {
    if (version == 2) {
      return List.of(
          "CREATE TABLE IF NOT EXISTS prodguard_session ("
              + " session_id bigint PRIMARY KEY,"
              + " run_id varchar(40) NOT NULL,"
              + " session_started timestamptz,"
              + " token_sha256 char(64) NOT NULL,"
              + " registered_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))");
    }
    if (version != 1) {
      return List.of();
    }
    return List.of(
        "CREATE TABLE IF NOT EXISTS prodguard_schema ("
            + " component varchar(64) PRIMARY KEY,"
            + " version integer NOT NULL,"
            + " installed_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))",
        "CREATE TABLE IF NOT EXISTS prodguard_run ("
            + " id varchar(40) PRIMARY KEY,"
            + " environment varchar(64) NOT NULL,"
            + " status varchar(16) NOT NULL CHECK (status IN ('verified', 'backed_up',"
            + " 'deploying', 'deployed', 'failed', 'expired')),"
            + " migration_set_sha256 char(64) NOT NULL,"
            + " migration_count integer NOT NULL,"
            + " migrations text NOT NULL,"
            + " contract_sha256 varchar(64),"
            + " commit_sha varchar(64),"
            + " ci_subject varchar(512) NOT NULL,"
            + " created_by varchar(255) NOT NULL,"
            + " created_at timestamp NOT NULL,"
            + " verified_at timestamp NOT NULL,"
            + " verification_expires_at timestamp NOT NULL,"
            + " backup_path varchar(1024),"
            + " backup_size bigint,"
            + " backup_sha256 char(64),"
            + " backup_duration_ms bigint,"
            + " backed_up_at timestamp,"
            + " backup_expires_at timestamp,"
            + " expires_at timestamp NOT NULL,"
            + " deploy_started_at timestamp,"
            + " deploy_session varchar(64),"
            + " deploy_host varchar(255),"
            + " approval_token_sha256 char(64),"
            + " finished_at timestamp,"
            + " receipt text,"
            + " failure text,"
            + " updated_at timestamp NOT NULL)",
        "CREATE INDEX IF NOT EXISTS prodguard_run_env_created"
            + " ON prodguard_run (environment, created_at)");
  }

  @Override
  public List<String> syncObjects(int version) {
    if (version != 1) {
      return List.of();
    }
    return List.of(
        "CREATE TABLE IF NOT EXISTS prodguard_sync_change ("
            + " run_id text NOT NULL,"
            + " seq bigint NOT NULL,"
            + " table_name text NOT NULL,"
            + " op text NOT NULL,"
            + " row_key text NOT NULL,"
            + " before_image text,"
            + " after_image text,"
            + " PRIMARY KEY (run_id, seq))");
  }

  /**
   * G6. {@code prodguard_guard_check(what)} is the one decision, shared by the Flyway callback's
   * assert and the DDL event trigger: pass when the environment is not protected, or when this
   * backend is registered for a run that is {@code deploying} and whose deploy session still holds
   * the deploy lock; raise otherwise, and raise when its tables are missing (fail closed). The
   * functions run as their owner with a pinned search_path, so a caller's own search_path or
   * privileges cannot change the decision.
   */
  @Override
  public List<String> guardObjects(int version) {
    if (version == 2) {
      return guardObjectsV2();
    }
    if (version != 1) {
      return List.of();
    }
    String raise = "USING ERRCODE = 'insufficient_privilege', HINT = '" + G6_HINT + "'";
    return List.of(
        "CREATE TABLE IF NOT EXISTS prodguard_guard_config ("
            + " id integer PRIMARY KEY CHECK (id = 1),"
            + " protected boolean NOT NULL,"
            + " updated_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),"
            + " updated_by text NOT NULL)",
        "CREATE OR REPLACE FUNCTION prodguard_guard_check(what text) RETURNS void"
            + " LANGUAGE plpgsql SECURITY DEFINER AS $pg$\n"
            + "DECLARE env text; prot boolean; approved boolean;\n"
            + "BEGIN\n"
            + "  BEGIN\n"
            + "    SELECT m.environment INTO env FROM database_metadata m WHERE m.id = 1;\n"
            + "    SELECT g.protected INTO prot FROM prodguard_guard_config g WHERE g.id = 1;\n"
            + "    IF env IS NULL OR prot IS NULL THEN\n"
            + "      RAISE EXCEPTION 'prodguard: % blocked: database_metadata or"
            + " prodguard_guard_config is empty, so nothing says this database may be changed'"
            + ", what "
            + raise
            + ";\n"
            + "    END IF;\n"
            + "    IF NOT prot THEN RETURN; END IF;\n"
            + "    SELECT EXISTS (SELECT 1 FROM prodguard_session s"
            + " JOIN prodguard_run r ON r.id = s.run_id"
            + " WHERE s.session_id = pg_backend_pid()"
            + " AND s.session_started IS NOT DISTINCT FROM"
            + " (SELECT a.backend_start FROM pg_stat_activity a WHERE a.pid = pg_backend_pid())"
            + " AND r.status = 'deploying' AND r.environment = env"
            + " AND r.approval_token_sha256 = s.token_sha256"
            + " AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
            + " AND l.database = (SELECT d.oid FROM pg_database d"
            + " WHERE d.datname = current_database())"
            + " AND l.classid = 1886547812 AND l.objid = 1685089401 AND l.objsubid = 2"
            + " AND l.pid::text = r.deploy_session)) INTO approved;\n"
            + "  EXCEPTION WHEN undefined_table OR undefined_column THEN\n"
            + "    RAISE EXCEPTION 'prodguard: % blocked: prodguard''s guard objects are missing or"
            + " damaged (%)', what, SQLERRM "
            + raise
            + ";\n"
            + "  END;\n"
            + "  IF NOT approved THEN\n"
            + "    RAISE EXCEPTION 'prodguard: % blocked on protected environment ''%'': run"
            + " ''prodguard deploy %'' from CI', what, env, env "
            + raise
            + ";\n"
            + "  END IF;\n"
            + "END\n"
            + "$pg$",
        "CREATE OR REPLACE FUNCTION prodguard_assert_deploy() RETURNS void LANGUAGE plpgsql AS"
            + " $pg$ BEGIN PERFORM prodguard_guard_check('direct migration'); END $pg$",
        "CREATE OR REPLACE FUNCTION prodguard_ddl_guard() RETURNS event_trigger"
            + " LANGUAGE plpgsql AS $pg$ BEGIN"
            + " PERFORM prodguard_guard_check('DDL (' || tg_tag || ')'); END $pg$",
        "CREATE OR REPLACE FUNCTION prodguard_register_session(p_run text, p_token text)"
            + " RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $pg$\n"
            + "DECLARE h text := encode(sha256(convert_to(p_token, 'UTF8')), 'hex');\n"
            + "BEGIN\n"
            + "  IF NOT EXISTS (SELECT 1 FROM prodguard_run r WHERE r.id = p_run"
            + " AND r.status = 'deploying' AND r.approval_token_sha256 = h) THEN\n"
            + "    RAISE EXCEPTION 'prodguard: cannot register this session: run % is not being"
            + " deployed with this approval', p_run USING ERRCODE = 'insufficient_privilege';\n"
            + "  END IF;\n"
            + "  INSERT INTO prodguard_session (session_id, run_id, session_started, token_sha256)"
            + " VALUES (pg_backend_pid(), p_run, (SELECT a.backend_start FROM pg_stat_activity a"
            + " WHERE a.pid = pg_backend_pid()), h)"
            + " ON CONFLICT (session_id) DO UPDATE SET run_id = EXCLUDED.run_id,"
            + " session_started = EXCLUDED.session_started, token_sha256 = EXCLUDED.token_sha256,"
            + " registered_at = now() AT TIME ZONE 'UTC';\n"
            + "END\n"
            + "$pg$",
        // A caller's search_path must not swap in look-alike tables: pin it to where these live.
        "DO $pg$ BEGIN"
            + " EXECUTE format('ALTER FUNCTION prodguard_guard_check(text)"
            + " SET search_path = %I, pg_temp', current_schema());"
            + " EXECUTE format('ALTER FUNCTION prodguard_assert_deploy()"
            + " SET search_path = %I, pg_temp', current_schema());"
            + " EXECUTE format('ALTER FUNCTION prodguard_ddl_guard()"
            + " SET search_path = %I, pg_temp', current_schema());"
            + " EXECUTE format('ALTER FUNCTION prodguard_register_session(text, text)"
            + " SET search_path = %I, pg_temp', current_schema());"
            + " END $pg$");
  }

  /**
   * Guards version 2: the trigger function of the guard on the migration history table ({@link
   * PgHistoryGuard}; the triggers themselves are per table, installed once the table exists), and
   * prodguard's protective triggers on {@code prodguard_audit} enabled ALWAYS, so that {@code
   * session_replication_role = replica} cannot skip them.
   */
  private static List<String> guardObjectsV2() {
    return List.of(
        "CREATE OR REPLACE FUNCTION prodguard_history_guard() RETURNS trigger"
            + " LANGUAGE plpgsql AS $pg$ BEGIN"
            + " PERFORM prodguard_guard_check('direct migration (' || TG_OP || ' on '"
            + " || TG_TABLE_NAME || ')'); RETURN NULL; END $pg$",
        "DO $pg$ BEGIN"
            + " EXECUTE format('ALTER FUNCTION prodguard_history_guard()"
            + " SET search_path = %I, pg_temp', current_schema());"
            + " END $pg$",
        "ALTER TABLE prodguard_audit ENABLE ALWAYS TRIGGER prodguard_audit_no_change",
        "ALTER TABLE prodguard_audit ENABLE ALWAYS TRIGGER prodguard_audit_no_truncate");
  }

  private static final String G6_HINT =
      "G6 direct migration blocked: only the connections that prodguard deploy hands to Flyway"
          + " for a running, approved deploy may change this database (see docs/g6-direct-migration.md)";

  @Override
  public boolean transactionalDdl() {
    return true;
  }

  @Override
  public List<String> lockSchema() {
    return List.of("SELECT pg_advisory_xact_lock(1886547812, 1685089402)");
  }

  @Override
  public List<String> unlockSchema() {
    return List.of();
  }

  @Override
  public String currentSchema() {
    return "current_schema()";
  }

  @Override
  public String registerSession() {
    return "SELECT prodguard_register_session(?, ?)";
  }

  @Override
  public String assertDeployCall() {
    return "SELECT prodguard_assert_deploy()";
  }

  @Override
  public String assertInstalledQuery() {
    return "SELECT COUNT(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        + " WHERE n.nspname = current_schema() AND p.proname = 'prodguard_assert_deploy'";
  }

  @Override
  public java.util.Optional<DdlGuardSql> ddlGuard() {
    return java.util.Optional.of(PgDdlGuard.INSTANCE);
  }

  @Override
  public HistoryGuardSql historyGuard() {
    return PgHistoryGuard.INSTANCE;
  }

  /** The DDL guard refuses schema changes here; no role split is needed. */
  @Override
  public java.util.Optional<SchemaGrants> schemaGrants() {
    return java.util.Optional.empty();
  }

  @Override
  public String upsertSchemaVersion() {
    return "INSERT INTO prodguard_schema (component, version) VALUES (?, ?)"
        + " ON CONFLICT (component) DO UPDATE"
        + " SET version = GREATEST(prodguard_schema.version, EXCLUDED.version)";
  }

  @Override
  public String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** A possibly schema-qualified name, each part quoted. */
  String quoteQualified(String name) {
    StringBuilder sb = new StringBuilder();
    for (String part : name.split("\\.", -1)) {
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append(quote(part));
    }
    return sb.toString();
  }

  @Override
  public String tryDeployLock() {
    return "SELECT pg_try_advisory_lock(" + LOCK_KEYS + ")";
  }

  @Override
  public String releaseDeployLock() {
    return "SELECT pg_advisory_unlock(" + LOCK_KEYS + ")";
  }

  @Override
  public String deployLockHolder() {
    return "SELECT pid::text FROM pg_locks WHERE locktype = 'advisory' AND granted"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        + " AND classid = 1886547812 AND objid = 1685089401 AND objsubid = 2";
  }

  @Override
  public String sessionId() {
    return "SELECT pg_backend_pid()::text";
  }

  /**
   * PostgreSQL 14+ notices a vanished client during a long statement and rolls the transaction
   * back, instead of finishing a killed deploy's migration alone. No server-side lock timeout: the
   * watchdog sees every wait of the deploy's own role ({@code pg_stat_activity}, {@code
   * pg_blocking_pids}), and {@code lock_timeout} would also end the waits for older transactions
   * that concurrent index builds make on purpose.
   */
  @Override
  public void prepareDeployConnection(Connection connection, java.time.Duration lockWaitBound)
      throws SQLException {
    if (connection.getMetaData().getDatabaseMajorVersion() >= 14) {
      try (java.sql.Statement st = connection.createStatement()) {
        st.execute("SET client_connection_check_interval = 1000");
      }
    }
  }

  @Override
  public SessionWaits sessionWaits() {
    return PgSessionWaits.INSTANCE;
  }

  @Override
  public java.util.Optional<InvalidIndexes> invalidIndexes() {
    return java.util.Optional.of(PgInvalidIndexes.INSTANCE);
  }

  @Override
  public DumpTool dumpTool() {
    return PgDumpTool.INSTANCE;
  }
}
