package dev.prodguard.dialect;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;

/** Everything that differs between PostgreSQL and MySQL/MariaDB, in one place. */
public interface Dialect {

  enum Kind {
    POSTGRESQL,
    MARIADB
  }

  Kind kind();

  /** The JDBC driver, used directly so that no other registered driver can claim the URL. */
  Driver driver();

  /** Driver property that bounds the connect time, with its value for {@code seconds}. */
  String connectTimeoutProperty();

  String connectTimeoutValue(int seconds);

  /** SQL that evaluates to this server's identity (see DESIGN section 7), per connection. */
  String serverIdentityExpression(Connection connection) throws SQLException;

  /** DDL that creates {@code database_metadata}. */
  List<String> createMetadataTable();

  /** Idempotent DDL of the append-only, hash-chained {@code prodguard_audit} (G10). */
  List<String> auditObjects();

  /** A unique or primary key was violated (an append lost a race). */
  boolean isUniqueViolation(SQLException e);

  /** Casts a column to text for tolerant reading of possibly corrupted rows. */
  String asText(String column);

  /** The table does not exist (the driver's SQLState for an undefined table). */
  boolean isUndefinedTable(SQLException e);

  /** A referenced column does not exist. */
  boolean isUndefinedColumn(SQLException e);

  static Dialect of(Kind kind) {
    return kind == Kind.POSTGRESQL ? PostgresDialect.INSTANCE : MariaDbDialect.INSTANCE;
  }

  /** The dialect of an open connection, from driver metadata (no round trip). */
  static Dialect of(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName().toLowerCase();
    if (product.contains("postgres")) {
      return PostgresDialect.INSTANCE;
    }
    if (product.contains("mariadb") || product.contains("mysql")) {
      return MariaDbDialect.INSTANCE;
    }
    throw new SQLException("prodguard does not support database product '" + product + "'");
  }
}
