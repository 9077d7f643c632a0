package dev.prodguard.db;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
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
 * migration from V1 on still runs; with a Flyway baseline migration ({@code B5__x.sql}) or a
 * migration at version 0 ({@code V0__x.sql}) that row is removed again ({@link
 * #forgetBaselineRow}), so Flyway applies them as on an empty database.
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

  /**
   * Whether a migration version (its numeric parts, as Flyway reads them) is at or below {@link
   * #BASELINE_VERSION}: every part zero ({@code 0}, {@code 00}, {@code 0.0}). Flyway takes such a
   * migration as already applied by prodguard's baseline row, so that row must go again before it
   * migrates ({@link #forgetBaselineRow}).
   */
  public static boolean atBaselineVersion(java.util.List<java.math.BigInteger> version) {
    return version.stream().allMatch(part -> part.signum() == 0);
  }

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

  /** Columns every Flyway history table has had, from Flyway 3's {@code schema_version} on. */
  private static final java.util.List<String> HISTORY_COLUMNS =
      java.util.List.of("installed_rank", "version", "script", "checksum", "success");

  /**
   * A table of the history schema that looks like Flyway's history under another name than {@code
   * historyTable}: named {@code schema_version} (Flyway 3/4's default), or holding Flyway's history
   * columns ({@link #HISTORY_COLUMNS}). Empty when {@code historyTable} exists (that is the
   * history) or no such table does. A database migrated with another {@code table} setting looks
   * empty of history to Flyway; read so, every migration would be pending on a populated schema.
   *
   * @param historySchema Flyway's default schema, empty for the connection's own
   * @param historyTable the configured history table name (compared case-insensitively)
   * @throws SQLException when the schema cannot be listed
   */
  public static Optional<String> otherHistoryTable(
      DataSource dataSource, Optional<String> historySchema, String historyTable)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return otherHistoryTable(c, historySchema, historyTable);
    }
  }

  /** {@link #otherHistoryTable(DataSource, Optional, String)} on an open connection. */
  public static Optional<String> otherHistoryTable(
      Connection c, Optional<String> historySchema, String historyTable) throws SQLException {
    String history = historyTable.toLowerCase(Locale.ROOT);
    DatabaseMetaData meta = c.getMetaData();
    String schema = historySchema.orElse(c.getSchema());
    java.util.List<String> tables = new java.util.ArrayList<>();
    try (ResultSet rs =
        meta.getTables(c.getCatalog(), schema, "%", new String[] {"TABLE", "VIEW"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME");
        if (name.toLowerCase(Locale.ROOT).equals(history)) {
          return Optional.empty();
        }
        tables.add(name);
      }
    }
    java.util.Collections.sort(tables);
    for (String t : tables) {
      if (t.equalsIgnoreCase("schema_version")) {
        return Optional.of(t);
      }
    }
    // one catalog read for all tables: which ones have each of Flyway's history columns
    java.util.Map<String, java.util.Set<String>> columns = historyColumns(c, meta, schema);
    for (Map.Entry<String, java.util.Set<String>> e : columns.entrySet()) {
      String n = e.getKey().toLowerCase(Locale.ROOT);
      if (tables.contains(e.getKey())
          && !n.equals("database_metadata")
          && !n.startsWith("prodguard_")
          && e.getValue().containsAll(HISTORY_COLUMNS)) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  /**
   * Flyway's history columns ({@link #HISTORY_COLUMNS}) each table of {@code schema} has, by table
   * name: the columns {@code getColumns(catalog, schema, "%", "%")} lists. On PostgreSQL the same
   * rows are read from the catalog with the driver's own conditions (relations of kind table,
   * partitioned table, view, foreign table and materialized view, columns not dropped, the schema
   * as a {@code LIKE} pattern, an empty one matching nothing, no schema condition when it is null),
   * without the driver's types, defaults and comments: its query (defaults deparsed, comments
   * joined) cost more server time than the rest of the check, at every verify, backup and deploy of
   * a target.
   */
  static java.util.Map<String, java.util.Set<String>> historyColumns(
      Connection c, DatabaseMetaData meta, String schema) throws SQLException {
    java.util.Map<String, java.util.Set<String>> columns = new java.util.TreeMap<>();
    if ("PostgreSQL".equals(meta.getDatabaseProductName())) {
      boolean inSchema = schema != null; // the driver's: an empty pattern matches nothing
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT c.relname, a.attname FROM pg_catalog.pg_namespace n"
                  + " JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid"
                  + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
                  + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                  + " WHERE c.relkind IN ('r', 'p', 'v', 'f', 'm') AND a.attnum > 0"
                  + " AND NOT a.attisdropped"
                  + (inSchema ? " AND n.nspname LIKE ?" : ""))) {
        if (inSchema) {
          ps.setString(1, schema);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            historyColumn(columns, rs.getString(1), rs.getString(2));
          }
        }
      }
      return columns;
    }
    try (ResultSet rs = meta.getColumns(c.getCatalog(), schema, "%", "%")) {
      while (rs.next()) {
        historyColumn(columns, rs.getString("TABLE_NAME"), rs.getString("COLUMN_NAME"));
      }
    }
    return columns;
  }

  private static void historyColumn(
      java.util.Map<String, java.util.Set<String>> columns, String table, String name) {
    String column = name.toLowerCase(Locale.ROOT);
    if (HISTORY_COLUMNS.contains(column)) {
      columns.computeIfAbsent(table, k -> new java.util.HashSet<>()).add(column);
    }
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
