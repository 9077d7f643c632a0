package dev.prodguard.support.postgresql;

import dev.prodguard.support.StatementProbe.Lock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The table locks of the PostgreSQL commands that cannot run inside a transaction block, from
 * PostgreSQL's documentation ("Explicit Locking", table 13.2, and each command's page), for trace:
 * such a statement commits on its own, so its locks cannot be read from {@code pg_locks} after it.
 *
 * <ul>
 *   <li>{@code CREATE INDEX CONCURRENTLY}, {@code DROP INDEX CONCURRENTLY}, {@code REINDEX
 *       INDEX|TABLE CONCURRENTLY}: SHARE UPDATE EXCLUSIVE on the table;
 *   <li>{@code VACUUM} (and {@code VACUUM ANALYZE}): SHARE UPDATE EXCLUSIVE on each table it names,
 *       every table of the database when it names none; {@code VACUUM FULL}: ACCESS EXCLUSIVE;
 *   <li>{@code ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY}: SHARE UPDATE EXCLUSIVE on the
 *       partitioned table, ACCESS EXCLUSIVE on the partition (its second transaction);
 *   <li>{@code ALTER TYPE ... ADD VALUE} (refused in a transaction block before PostgreSQL 12): no
 *       table.
 * </ul>
 *
 * Anything else (a {@code REINDEX SCHEMA}, {@code CLUSTER} without a table, ...) is not known:
 * empty, and trace stops as incomplete rather than call it lock-free.
 */
final class PgOutsideTransactionLocks {
  static final String SHARE_UPDATE_EXCLUSIVE = "ShareUpdateExclusiveLock";
  static final String ACCESS_EXCLUSIVE = "AccessExclusiveLock";

  private PgOutsideTransactionLocks() {}

  static Optional<List<Lock>> of(Connection c, String sql) throws SQLException {
    List<String> t = tokens(sql);
    if (t.isEmpty()) {
      return Optional.empty();
    }
    String first = upper(t, 0);
    if (first.equals("CREATE")) {
      return createIndexConcurrently(c, t);
    }
    if (first.equals("DROP")) {
      return dropIndexConcurrently(c, t);
    }
    if (first.equals("REINDEX")) {
      return reindexConcurrently(c, t);
    }
    if (first.equals("VACUUM")) {
      return vacuum(c, t);
    }
    if (first.equals("ALTER") && upper(t, 1).equals("TYPE")) {
      boolean addValue = false;
      for (int i = 2; i + 1 < t.size(); i++) {
        addValue |= upper(t, i).equals("ADD") && upper(t, i + 1).equals("VALUE");
      }
      return addValue ? Optional.of(List.of()) : Optional.empty();
    }
    if (first.equals("ALTER") && upper(t, 1).equals("TABLE")) {
      return detachConcurrently(c, t);
    }
    return Optional.empty();
  }

  /** {@code CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] [name] ON [ONLY] table ...}. */
  private static Optional<List<Lock>> createIndexConcurrently(Connection c, List<String> t)
      throws SQLException {
    int i = 1;
    if (upper(t, i).equals("UNIQUE")) {
      i++;
    }
    if (!upper(t, i).equals("INDEX") || !upper(t, i + 1).equals("CONCURRENTLY")) {
      return Optional.empty();
    }
    int on = t.subList(i, t.size()).stream().map(String::toUpperCase).toList().indexOf("ON");
    if (on < 0) {
      return Optional.empty();
    }
    int at = i + on + 1;
    if (upper(t, at).equals("ONLY")) {
      at++;
    }
    Name table = name(t, at);
    return table == null ? Optional.empty() : locks(c, List.of(table), SHARE_UPDATE_EXCLUSIVE);
  }

  /** {@code DROP INDEX CONCURRENTLY [IF EXISTS] name [CASCADE | RESTRICT]}. */
  private static Optional<List<Lock>> dropIndexConcurrently(Connection c, List<String> t)
      throws SQLException {
    if (!upper(t, 1).equals("INDEX") || !upper(t, 2).equals("CONCURRENTLY")) {
      return Optional.empty();
    }
    int at = 3;
    boolean ifExists = upper(t, at).equals("IF") && upper(t, at + 1).equals("EXISTS");
    if (ifExists) {
      at += 2;
    }
    Name index = name(t, at);
    if (index == null || (at + index.tokens < t.size() && t.get(at + index.tokens).equals(","))) {
      return Optional.empty();
    }
    Optional<String> table = indexTable(c, index.text);
    if (table.isEmpty()) {
      // gone already: IF EXISTS makes it a no-op; without it the statement fails on the copy
      return ifExists ? Optional.of(List.of()) : Optional.empty();
    }
    return Optional.of(List.of(new Lock(table.get(), SHARE_UPDATE_EXCLUSIVE)));
  }

  /** {@code REINDEX [(options)] INDEX|TABLE [CONCURRENTLY] name}, concurrently by either. */
  private static Optional<List<Lock>> reindexConcurrently(Connection c, List<String> t)
      throws SQLException {
    int at = 1;
    boolean concurrently = false;
    if (t.size() > at && t.get(at).equals("(")) {
      int close = t.indexOf(")");
      if (close < 0) {
        return Optional.empty();
      }
      for (int i = at + 1; i < close; i++) {
        if (upper(t, i).equals("CONCURRENTLY")
            && !List.of("FALSE", "OFF", "0").contains(upper(t, i + 1))) {
          concurrently = true;
        }
      }
      at = close + 1;
    }
    String kind = upper(t, at);
    at++;
    if (upper(t, at).equals("CONCURRENTLY")) {
      concurrently = true;
      at++;
    }
    Name target = name(t, at);
    if (!concurrently || target == null || !(kind.equals("INDEX") || kind.equals("TABLE"))) {
      return Optional.empty();
    }
    Optional<String> table =
        kind.equals("INDEX") ? indexTable(c, target.text) : table(c, target.text);
    return table.map(x -> List.of(new Lock(x, SHARE_UPDATE_EXCLUSIVE)));
  }

  /**
   * {@code VACUUM [(options)] [table [(columns)], ...]} and the old form {@code VACUUM [FULL]
   * [FREEZE] [VERBOSE] [ANALYZE] [table ...]}.
   */
  private static Optional<List<Lock>> vacuum(Connection c, List<String> t) throws SQLException {
    int at = 1;
    boolean full = false;
    if (t.size() > at && t.get(at).equals("(")) {
      int close = t.indexOf(")");
      if (close < 0) {
        return Optional.empty();
      }
      for (int i = at + 1; i < close; i++) {
        boolean option = i == at + 1 || t.get(i - 1).equals(",");
        if (option
            && upper(t, i).equals("FULL")
            && !List.of("FALSE", "OFF", "0").contains(upper(t, i + 1))) {
          full = true;
        }
      }
      at = close + 1;
    } else {
      while (List.of("FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE").contains(upper(t, at))) {
        full |= upper(t, at).equals("FULL");
        at++;
      }
    }
    String mode = full ? ACCESS_EXCLUSIVE : SHARE_UPDATE_EXCLUSIVE;
    List<Name> tables = new ArrayList<>();
    while (at < t.size() && !t.get(at).equals(";")) {
      Name n = name(t, at);
      if (n == null) {
        return Optional.empty();
      }
      tables.add(n);
      at += n.tokens;
      if (at < t.size() && t.get(at).equals("(")) {
        int close = t.subList(at, t.size()).indexOf(")");
        if (close < 0) {
          return Optional.empty();
        }
        at += close + 1;
      }
      if (at < t.size() && t.get(at).equals(",")) {
        at++;
      } else if (at < t.size() && !t.get(at).equals(";")) {
        return Optional.empty();
      }
    }
    if (tables.isEmpty()) {
      return Optional.of(everyTable(c, mode));
    }
    return locks(c, tables, mode);
  }

  /** {@code ALTER TABLE [IF EXISTS] [ONLY] parent DETACH PARTITION partition CONCURRENTLY}. */
  private static Optional<List<Lock>> detachConcurrently(Connection c, List<String> t)
      throws SQLException {
    int at = 2;
    if (upper(t, at).equals("IF") && upper(t, at + 1).equals("EXISTS")) {
      at += 2;
    }
    if (upper(t, at).equals("ONLY")) {
      at++;
    }
    Name parent = name(t, at);
    if (parent == null) {
      return Optional.empty();
    }
    at += parent.tokens;
    if (!upper(t, at).equals("DETACH") || !upper(t, at + 1).equals("PARTITION")) {
      return Optional.empty();
    }
    Name partition = name(t, at + 2);
    if (partition == null || !upper(t, at + 2 + partition.tokens).equals("CONCURRENTLY")) {
      return Optional.empty();
    }
    Optional<String> p = table(c, parent.text);
    Optional<String> part = table(c, partition.text);
    if (p.isEmpty() || part.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        List.of(new Lock(p.get(), SHARE_UPDATE_EXCLUSIVE), new Lock(part.get(), ACCESS_EXCLUSIVE)));
  }

  private static Optional<List<Lock>> locks(Connection c, List<Name> tables, String mode)
      throws SQLException {
    List<Lock> out = new ArrayList<>();
    for (Name n : tables) {
      Optional<String> table = table(c, n.text);
      if (table.isEmpty()) {
        return Optional.empty();
      }
      out.add(new Lock(table.get(), mode));
    }
    return Optional.of(out);
  }

  private static final String QUALIFIED = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)";

  /** The table (or materialized view) {@code name} resolves to in the session now. */
  private static Optional<String> table(Connection c, String name) throws SQLException {
    return one(
        c,
        "SELECT "
            + QUALIFIED
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid ="
            + " c.relnamespace WHERE c.oid = pg_catalog.to_regclass(?) AND c.relkind IN ('r', 'p',"
            + " 'm')",
        name);
  }

  /** The table of the index {@code name} resolves to in the session now. */
  private static Optional<String> indexTable(Connection c, String name) throws SQLException {
    return one(
        c,
        "SELECT "
            + QUALIFIED
            + " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE i.indexrelid = pg_catalog.to_regclass(?)",
        name);
  }

  private static List<Lock> everyTable(Connection c, String mode) throws SQLException {
    List<Lock> out = new ArrayList<>();
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + QUALIFIED
                    + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid ="
                    + " c.relnamespace WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN"
                    + " ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
                    + " AND n.nspname NOT LIKE 'pg\\_temp\\_%' ORDER BY 1");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Lock(rs.getString(1), mode));
      }
    }
    return out;
  }

  private static Optional<String> one(Connection c, String query, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(query)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** A possibly qualified name as written ({@code s."Orders"}) and how many tokens it spans. */
  record Name(String text, int tokens) {}

  static Name name(List<String> t, int at) {
    if (!identifier(t, at)) {
      return null;
    }
    StringBuilder text = new StringBuilder(t.get(at));
    int n = 1;
    while (at + n + 1 < t.size() && t.get(at + n).equals(".") && identifier(t, at + n + 1)) {
      text.append('.').append(t.get(at + n + 1));
      n += 2;
    }
    return new Name(text.toString(), n);
  }

  private static boolean identifier(List<String> t, int at) {
    if (at >= t.size()) {
      return false;
    }
    String s = t.get(at);
    return s.startsWith("\"") || Character.isLetter(s.charAt(0)) || s.charAt(0) == '_';
  }

  static String upper(List<String> t, int i) {
    return i < t.size() ? t.get(i).toUpperCase(Locale.ROOT) : "";
  }

  /**
   * Words, quoted identifiers (quotes kept) and single punctuation characters; comments and string
   * literals dropped (a string is one {@code '} token).
   */
  static List<String> tokens(String sql) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char ch = sql.charAt(i);
      if (Character.isWhitespace(ch)) {
        i++;
      } else if (sql.startsWith("--", i)) {
        int nl = sql.indexOf('\n', i);
        i = nl < 0 ? n : nl + 1;
      } else if (sql.startsWith("/*", i)) {
        int depth = 0;
        do {
          if (sql.startsWith("/*", i)) {
            depth++;
            i += 2;
          } else if (sql.startsWith("*/", i)) {
            depth--;
            i += 2;
          } else {
            i++;
          }
        } while (i < n && depth > 0);
      } else if (ch == '"') {
        int j = i + 1;
        while (j < n && (sql.charAt(j) != '"' || (j + 1 < n && sql.charAt(j + 1) == '"'))) {
          j += sql.charAt(j) == '"' ? 2 : 1;
        }
        out.add(sql.substring(i, Math.min(j + 1, n)));
        i = j + 1;
      } else if (ch == '\'') {
        int j = i + 1;
        while (j < n && (sql.charAt(j) != '\'' || (j + 1 < n && sql.charAt(j + 1) == '\''))) {
          j += sql.charAt(j) == '\'' ? 2 : 1;
        }
        out.add("'");
        i = j + 1;
      } else if (Character.isLetterOrDigit(ch) || ch == '_') {
        int j = i;
        while (j < n
            && (Character.isLetterOrDigit(sql.charAt(j))
                || sql.charAt(j) == '_'
                || sql.charAt(j) == '$')) {
          j++;
        }
        out.add(sql.substring(i, j));
        i = j;
      } else {
        out.add(String.valueOf(ch));
        i++;
      }
    }
    return out;
  }
}
