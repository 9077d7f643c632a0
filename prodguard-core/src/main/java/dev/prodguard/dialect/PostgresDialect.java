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
}
