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
}
