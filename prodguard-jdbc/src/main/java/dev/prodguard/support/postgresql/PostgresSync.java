package dev.prodguard.support.postgresql;

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
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * PostgreSQL: every value but bytea travels in the type's own text form ({@code ::text} out, {@code
 * CAST(? AS type)} in), which is lossless for numeric, timestamptz, json, jsonb, arrays, enums and
 * the rest; bytea travels as bytes.
 */
final class PostgresSync implements SyncDialect {
  static final PostgresSync INSTANCE = new PostgresSync();

  private static final Set<String> INTEGERS = Set.of("int2", "int4", "int8");
  private static final Set<String> COLLATABLE_TEXT = Set.of("text", "varchar", "bpchar");

  private PostgresSync() {}

  @Override
  public DatabaseKind kind() {
    return DatabaseKind.POSTGRESQL;
  }

  @Override
  public String quote(String name) {
    StringBuilder sb = new StringBuilder();
    for (String part : name.split("\\.", -1)) {
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append('"').append(part.replace("\"", "\"\"")).append('"');
    }
    return sb.toString();
  }

  @Override
  public void prepareSession(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET TIME ZONE 'UTC'");
      st.execute("SET intervalstyle TO 'postgres'");
      st.execute("SET extra_float_digits TO 3");
    }
  }

  @Override
  public Optional<Map<String, Declared>> describe(Connection c, String table) throws SQLException {
    Map<String, Declared> out = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname,"
                + " a.attgenerated <> '' OR a.attidentity = 'a'"
                + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum")) {
      ps.setString(1, quote(table));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          String type = rs.getString(2);
          String typname = rs.getString(3);
          Column col = new Column(name, type, "bytea".equals(typname));
          String ref = "s." + quote(name);
          KeyKind kind = null;
          String order = ref;
          if (INTEGERS.contains(typname)) {
            kind = KeyKind.INTEGER;
          } else if ("numeric".equals(typname)) {
            kind = KeyKind.DECIMAL;
          } else if (COLLATABLE_TEXT.contains(typname)) {
            kind = KeyKind.TEXT;
            order = ref + " COLLATE \"C\"";
          } else if ("uuid".equals(typname)) {
            kind = KeyKind.TEXT; // uuid order is byte order, i.e. that of its lower-case hex text
          }
          out.put(name, new Declared(col, kind, order, rs.getBoolean(4)));
        }
      }
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out);
  }

  @Override
  public String readExpression(Column c, String alias) {
    String ref = alias + "." + quote(c.name());
    return c.binary() ? ref : ref + "::text";
  }

  @Override
  public String placeholder(Column c) {
    return "CAST(? AS " + c.type() + ")";
  }

  @Override
  public void setLockTimeout(Connection c, int seconds) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("SET LOCAL lock_timeout = '" + seconds + "s'");
    }
  }

  /** SHARE ROW EXCLUSIVE: readers go on, writers (and another sync) wait for the commit. */
  @Override
  public void lockTable(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("LOCK TABLE " + quote(table) + " IN SHARE ROW EXCLUSIVE MODE");
    }
  }

  @Override
  public String lockingRead() {
    return "";
  }

  @Override
  public java.util.List<Reference> referencing(Connection c, String table) throws SQLException {
    java.util.List<Reference> out = new java.util.ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT k.conname, k.conrelid::regclass::text,"
                + " ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i)"
                + " JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n"
                + " ORDER BY u.i)::text[], k.confdeltype, k.confupdtype"
                + " FROM pg_constraint k WHERE k.contype = 'f' AND k.confrelid = to_regclass(?)"
                + " ORDER BY 2, 1")) {
      ps.setString(1, quote(table));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          java.util.List<String> cols = new java.util.ArrayList<>();
          for (String s : (String[]) rs.getArray(3).getArray()) {
            cols.add(s.toLowerCase(java.util.Locale.ROOT));
          }
          out.add(
              new Reference(
                  rs.getString(1),
                  rs.getString(2),
                  cols,
                  action(rs.getString(4)),
                  action(rs.getString(5))));
        }
      }
    }
    return out;
  }

  /** pg_constraint's action codes; an unknown code reads as CASCADE (fail closed). */
  private static String action(String code) {
    return switch (code == null ? "" : code) {
      case "a" -> "NO ACTION";
      case "r" -> "RESTRICT";
      case "n" -> "SET NULL";
      case "d" -> "SET DEFAULT";
      default -> "CASCADE";
    };
  }
}
