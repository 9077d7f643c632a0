package dev.prodguard.support;

import java.sql.SQLException;

/**
 * A facet of {@link DatabaseSupport}: what SQL text and error codes look like on this server.
 * Implemented per database in {@code support.postgresql} and {@code support.mariadb}.
 */
public interface SqlText {

  /** A unique or primary key was violated (an append lost a race). */
  boolean isUniqueViolation(SQLException e);

  /** Casts a column to text for tolerant reading of possibly corrupted rows. */
  String asText(String column);

  /** The table does not exist (the driver's SQLState for an undefined table). */
  boolean isUndefinedTable(SQLException e);

  /** A referenced column does not exist. */
  boolean isUndefinedColumn(SQLException e);

  /** Quotes an identifier for this server. */
  String quote(String identifier);

  /** SQL expression of the schema (PostgreSQL) or database (MySQL) prodguard's objects live in. */
  String currentSchema();

  /**
   * A query of one row and one count: the tables and views named by its last parameter (compared
   * exactly) in the schema prodguard's objects live in, or, when {@code schemaParameter}, in the
   * schema its first parameter names; as {@code information_schema.tables} lists them (a table the
   * session holds no privilege on is not listed). Never aborts a transaction.
   */
  default String tableCountQuery(boolean schemaParameter) {
    return "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
        + (schemaParameter ? "?" : currentSchema())
        + " AND table_name = ?";
  }
}
