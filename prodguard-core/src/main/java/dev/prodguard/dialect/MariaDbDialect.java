package dev.prodguard.dialect;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;

/** MySQL and MariaDB, both through MariaDB Connector/J. */
public final class MariaDbDialect implements Dialect {
  static final MariaDbDialect INSTANCE = new MariaDbDialect();

  private MariaDbDialect() {}

  @Override
  public Kind kind() {
    return Kind.MARIADB;
  }

  @Override
  public Driver driver() {
    return new org.mariadb.jdbc.Driver();
  }

  @Override
  public String connectTimeoutProperty() {
    return "connectTimeout";
  }

  @Override
  public String connectTimeoutValue(int seconds) {
    return Integer.toString(seconds * 1000);
  }

  /** MySQL has {@code @@server_uuid}; MariaDB does not, so host name and port stand in. */
  @Override
  public String serverIdentityExpression(Connection connection) throws SQLException {
    String version = connection.getMetaData().getDatabaseProductVersion().toLowerCase();
    if (version.contains("mariadb")) {
      return "CONCAT('mariadb:', @@hostname, ':', @@port, '/', DATABASE())";
    }
    return "CONCAT('mysql:', @@server_uuid, '/', DATABASE())";
  }

  @Override
  public List<String> createMetadataTable() {
    return List.of(
        "CREATE TABLE database_metadata ("
            + " id INT NOT NULL PRIMARY KEY CHECK (id = 1),"
            + " environment VARCHAR(64) NOT NULL,"
            + " fingerprint VARCHAR(130) NOT NULL,"
            + " server_identity VARCHAR(512) NOT NULL,"
            + " created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
            + " created_by VARCHAR(255) NOT NULL) ENGINE=InnoDB");
  }

  @Override
  public String asText(String column) {
    return "CAST(" + column + " AS CHAR)";
  }

  @Override
  public boolean isUndefinedTable(SQLException e) {
    return e.getErrorCode() == 1146 || "42S02".equals(e.getSQLState());
  }

  @Override
  public boolean isUndefinedColumn(SQLException e) {
    return e.getErrorCode() == 1054 || "42S22".equals(e.getSQLState());
  }
}
