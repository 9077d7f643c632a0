package dev.prodguard.db;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The schema that holds Flyway's history table, as prodguard's deploy (prodguard-flyway) and the
 * Spring Boot starter's start-up migration both read it: one reading for both, so they cannot
 * disagree on which schema they look at or which row they remove.
 *
 * <p>A schema whose only tables are prodguard's own ({@code database_metadata}, {@code
 * prodguard_*}) and that has no history table is empty as far as the application goes, but Flyway
 * refuses it as non-empty. Such a schema gets an explicit Flyway baseline at {@link
 * #BASELINE_VERSION} with {@link #BASELINE_DESCRIPTION} (never {@code baselineOnMigrate}), so every
 * migration from V1 on still runs; with a Flyway baseline migration ({@code B5__x.sql}) that row is
 * removed again ({@link #forgetBaselineRow}), so Flyway applies the baseline migration as on an
 * empty database.
 *
 * <p>The history schema is Flyway's: its {@code defaultSchema}, else the first of its {@code
 * schemas}, else the connection's current schema (PostgreSQL) or database (MySQL/MariaDB).
 */
public final class ProdguardOnlySchema {
  /** The version of prodguard's own baseline row. */
  public static final String BASELINE_VERSION = "0";

  /** The description of prodguard's own baseline row, how prodguard recognises it later. */
  public static final String BASELINE_DESCRIPTION =
      "prodguard: schema held only prodguard metadata";

  private ProdguardOnlySchema() {}

  /** What the history schema holds. */
  public enum Content {
    /** Flyway's history table is there. */
    HISTORY,
    /** No history table, and no table but prodguard's own: adopt with a baseline. */
    PRODGUARD_ONLY,
    /** No history table, and no table at all or someone else's: Flyway's own rules apply. */
    OTHER
  }

  /**
   * Reads which tables and views the history schema holds.
   *
   * @param historySchema Flyway's default schema, empty for the connection's own
   * @param historyTable Flyway's history table name, as configured (compared case-insensitively)
   * @throws SQLException when the schema cannot be listed
   */
  public static Content read(
      DataSource dataSource, Optional<String> historySchema, String historyTable)
      throws SQLException {
    String history = historyTable.toLowerCase(Locale.ROOT);
    boolean prodguard = false;
    boolean other = false;
    try (Connection c = dataSource.getConnection();
        ResultSet rs =
            c.getMetaData()
                .getTables(
                    c.getCatalog(),
                    historySchema.orElse(c.getSchema()),
                    "%",
                    new String[] {"TABLE", "VIEW"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
        if (name.equals(history)) {
          return Content.HISTORY;
        } else if (name.equals("database_metadata") || name.startsWith("prodguard_")) {
          prodguard = true;
        } else {
          other = true;
        }
      }
    }
    return prodguard && !other ? Content.PRODGUARD_ONLY : Content.OTHER;
  }

  /**
   * Removes prodguard's own baseline row from the history table just created by Flyway's baseline,
   * leaving the table empty. The table is named with its schema (quoted as the server quotes), so
   * the row removed is the one in Flyway's history schema whatever the session's search path.
   *
   * @throws SQLException when the row cannot be removed
   * @throws IllegalStateException when the table does not hold exactly that one row
   */
  public static void forgetBaselineRow(
      DataSource dataSource, Optional<String> historySchema, String historyTable)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      String table = qualified(c, historySchema, historyTable);
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM " + table + " WHERE version = ? AND description = ?")) {
        ps.setString(1, BASELINE_VERSION);
        ps.setString(2, BASELINE_DESCRIPTION);
        int removed = ps.executeUpdate();
        if (removed != 1) {
          throw new IllegalStateException(
              "prodguard's baseline row of "
                  + table
                  + " was expected once and found "
                  + removed
                  + " times");
        }
      }
    }
  }

  /** {@code "schema"."table"} (PostgreSQL) or {@code `database`.`table`} (MySQL/MariaDB). */
  static String qualified(Connection c, Optional<String> historySchema, String historyTable)
      throws SQLException {
    DatabaseMetaData meta = c.getMetaData();
    String q = meta.getIdentifierQuoteString().trim();
    String schema = historySchema.orElse(c.getSchema());
    if (schema == null || schema.isEmpty()) {
      schema = c.getCatalog();
    }
    if (schema == null || schema.isEmpty()) {
      throw new SQLException("cannot tell which schema holds the history table " + historyTable);
    }
    return quote(q, schema) + "." + quote(q, historyTable);
  }

  private static String quote(String q, String identifier) {
    return q.isEmpty() ? identifier : q + identifier.replace(q, q + q) + q;
  }
}
