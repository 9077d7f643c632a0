package dev.prodguard.support.mariadb;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.sync.Column;
import dev.prodguard.support.sync.KeyKind;
import dev.prodguard.support.sync.SyncDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * MariaDB and MySQL: values travel in the server's text protocol form (DECIMAL digits, DATETIME and
 * TIMESTAMP with their fractions, JSON text, DOUBLE's shortest exact digits; FLOAT read as DOUBLE,
 * its own text form being rounded to 6 digits), binary strings and BLOBs as bytes. TIMESTAMP is
 * read and written in UTC, so no local-time hour is ambiguous.
 */
final class MariaDbSync implements SyncDialect {
  static final MariaDbSync INSTANCE = new MariaDbSync();

  private static final Set<String> INTEGERS =
      Set.of("tinyint", "smallint", "mediumint", "int", "bigint");
  private static final Set<String> TEXT =
      Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "uuid");
  private static final Set<String> BINARY =
      Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit");

  private MariaDbSync() {}

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.MARIADB;
  }

  @Override
  public String quote(String name) {
    StringBuilder sb = new StringBuilder();
    for (String part : name.split("\\.", -1)) {
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append('`').append(part.replace("`", "``")).append('`');
    }
    return sb.toString();
  }

  @Override
  public void prepareSession(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET time_zone = '+00:00'");
      st.execute(
          "SET SESSION sql_mode = IF(@@SESSION.sql_mode = '', 'STRICT_ALL_TABLES',"
              + " CONCAT(@@SESSION.sql_mode, ',STRICT_ALL_TABLES'))");
    }
  }

  @Override
  public Optional<Map<String, Declared>> describe(Connection c, String table) throws SQLException {
    int dot = table.indexOf('.');
    String schema = dot < 0 ? null : table.substring(0, dot);
    String name = dot < 0 ? table : table.substring(dot + 1);
    Map<String, Declared> out = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE,"
                + " COALESCE(GENERATION_EXPRESSION, '') <> '' FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?"
                + " ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String col = rs.getString(1).toLowerCase(Locale.ROOT);
          String type = rs.getString(2).toLowerCase(Locale.ROOT);
          String dataType = rs.getString(3).toLowerCase(Locale.ROOT);
          String ref = "s." + quote(col);
          KeyKind kind = null;
          String order = ref;
          if (INTEGERS.contains(dataType)) {
            kind =
                dataType.equals("bigint") && type.contains("unsigned")
                    ? KeyKind.DECIMAL
                    : KeyKind.INTEGER;
          } else if ("decimal".equals(dataType)) {
            kind = KeyKind.DECIMAL;
          } else if (TEXT.contains(dataType)) {
            kind = KeyKind.TEXT;
            // code point order whatever the column's character set and collation (no padding)
            order = "CAST(CONVERT(" + ref + " USING utf8mb4) AS BINARY)";
          }
          out.put(
              col,
              new Declared(
                  new Column(col, type, BINARY.contains(dataType)), kind, order, rs.getBoolean(4)));
        }
      }
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out);
  }

  @Override
  public String readExpression(Column c, String alias) {
    String ref = alias + "." + quote(c.name());
    // FLOAT's text form has 6 significant digits (1234567.875 is sent as 1234570): read as the
    // DOUBLE holding the same value, whose text form is the shortest exact one (attacker 23/03);
    // written back into the FLOAT column it becomes the same single-precision value again
    return c.type().startsWith("float") ? "CAST(" + ref + " AS DOUBLE)" : ref;
  }

  @Override
  public String placeholder(Column c) {
    return "?";
  }

  @Override
  public void setLockTimeout(Connection c, int seconds) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET SESSION innodb_lock_wait_timeout = " + seconds);
    }
  }

  @Override
  public void lockTable(Connection c, String table) {
    // LOCK TABLES would commit the transaction; the locking read below takes next-key locks
  }

  /** Next-key locks on every row and gap scanned: no update, delete or insert gets in. */
  @Override
  public String lockingRead() {
    return " FOR UPDATE";
  }

  @Override
  public java.util.List<Reference> referencing(Connection c, String table) throws SQLException {
    int dot = table.indexOf('.');
    String schema = dot < 0 ? null : table.substring(0, dot);
    String name = dot < 0 ? table : table.substring(dot + 1);
    Map<String, String[]> keys = new LinkedHashMap<>();
    Map<String, java.util.List<String>> cols = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT k.CONSTRAINT_SCHEMA, k.CONSTRAINT_NAME, k.TABLE_SCHEMA, k.TABLE_NAME,"
                + " k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE"
                + " FROM information_schema.KEY_COLUMN_USAGE k"
                + " JOIN information_schema.REFERENTIAL_CONSTRAINTS r"
                + " ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA"
                + " AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME"
                + " WHERE k.REFERENCED_TABLE_SCHEMA = COALESCE(?, DATABASE())"
                + " AND k.REFERENCED_TABLE_NAME = ?"
                + " ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME,"
                + " k.POSITION_IN_UNIQUE_CONSTRAINT")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id =
              rs.getString(1)
                  + "."
                  + rs.getString(3)
                  + "."
                  + rs.getString(4)
                  + "."
                  + rs.getString(2);
          String child = rs.getString(3) + "." + rs.getString(4);
          keys.putIfAbsent(
              id,
              new String[] {
                rs.getString(2),
                child.toLowerCase(Locale.ROOT),
                actionOf(rs.getString(6)),
                actionOf(rs.getString(7))
              });
          cols.computeIfAbsent(id, x -> new java.util.ArrayList<>())
              .add(rs.getString(5).toLowerCase(Locale.ROOT));
        }
      }
    }
    java.util.List<Reference> out = new java.util.ArrayList<>();
    for (Map.Entry<String, String[]> e : keys.entrySet()) {
      String[] k = e.getValue();
      out.add(new Reference(k[0], k[1], cols.get(e.getKey()), k[2], k[3]));
    }
    return out;
  }

  /** An action the catalogue spells in a way prodguard does not know reads as CASCADE. */
  private static String actionOf(String rule) {
    String r = rule == null ? "" : rule.trim().toUpperCase(Locale.ROOT);
    return Set.of("NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT").contains(r)
        ? r
        : "CASCADE";
  }
}
