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
