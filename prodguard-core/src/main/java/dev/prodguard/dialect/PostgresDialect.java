package dev.prodguard.dialect;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;

/** PostgreSQL. */
public final class PostgresDialect implements Dialect {
  static final PostgresDialect INSTANCE = new PostgresDialect();

  private PostgresDialect() {}

  @Override
  public Kind kind() {
    return Kind.POSTGRESQL;
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
  public List<String> auditObjects() {
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
  public String upsertSchemaVersion() {
    return "INSERT INTO prodguard_schema (component, version) VALUES (?, ?)"
        + " ON CONFLICT (component) DO UPDATE"
        + " SET version = GREATEST(prodguard_schema.version, EXCLUDED.version)";
  }

  @Override
  public String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
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
   * back, instead of finishing a killed deploy's migration alone.
   */
  @Override
  public void prepareDeployConnection(Connection connection) throws SQLException {
    if (connection.getMetaData().getDatabaseMajorVersion() >= 14) {
      try (java.sql.Statement st = connection.createStatement()) {
        st.execute("SET client_connection_check_interval = 1000");
      }
    }
  }

  @Override
  public DumpTool dumpTool() {
    return PgDumpTool.INSTANCE;
  }
}
