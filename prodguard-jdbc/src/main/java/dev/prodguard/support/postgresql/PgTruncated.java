package dev.prodguard.support.postgresql;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The relations a {@code TRUNCATE} empties, resolved in the replay's session before it runs: {@code
 * TRUNCATE [TABLE] [ONLY] name [*] [, ...] [RESTART | CONTINUE IDENTITY] [CASCADE | RESTRICT]}.
 * Each named table (with its inheritance children and partitions unless {@code ONLY}), with {@code
 * CASCADE} every table that references one of them by a foreign key (and theirs, and their
 * children), and the indexes of all of them: these get new, empty files, which is no rewrite. Any
 * other relation that gets a new file during the statement (an {@code ON TRUNCATE} trigger that
 * alters another table) is a rewrite like any other.
 */
final class PgTruncated {
  private PgTruncated() {}

  /**
   * @return the oids (tables and their indexes), or empty when the statement is no {@code TRUNCATE}
   *     this parser reads or a name does not resolve to a table (nothing is then spared)
   */
  static Optional<Set<Long>> of(Connection c, String sql) throws SQLException {
    if (c.getAutoCommit()) {
      return read(c, sql);
    }
    // inside the migration's transaction a failed read (a name to_regclass cannot parse) must not
    // abort it: the statement itself still runs, and nothing is spared
    java.sql.Savepoint sp = c.setSavepoint();
    try {
      Optional<Set<Long>> out = read(c, sql);
      c.releaseSavepoint(sp);
      return out;
    } catch (SQLException e) {
      c.rollback(sp);
      return Optional.empty();
    }
  }

  private static Optional<Set<Long>> read(Connection c, String sql) throws SQLException {
    List<String> t = PgOutsideTransactionLocks.tokens(sql);
    if (!PgOutsideTransactionLocks.upper(t, 0).equals("TRUNCATE")) {
      return Optional.empty();
    }
    int at = 1;
    if (PgOutsideTransactionLocks.upper(t, at).equals("TABLE")) {
      at++;
    }
    List<String> whole = new ArrayList<>();
    List<String> only = new ArrayList<>();
    while (true) {
      boolean isOnly = PgOutsideTransactionLocks.upper(t, at).equals("ONLY");
      if (isOnly) {
        at++;
      }
      PgOutsideTransactionLocks.Name n = PgOutsideTransactionLocks.name(t, at);
      if (n == null) {
        return Optional.empty();
      }
      at += n.tokens();
      if (at < t.size() && t.get(at).equals("*")) {
        at++;
      }
      (isOnly ? only : whole).add(n.text());
      if (at < t.size() && t.get(at).equals(",")) {
        at++;
        continue;
      }
      break;
    }
    boolean cascade = false;
    for (; at < t.size() && !t.get(at).equals(";"); at++) {
      String w = PgOutsideTransactionLocks.upper(t, at);
      if (w.equals("CASCADE")) {
        cascade = true;
      } else if (!List.of("RESTART", "CONTINUE", "IDENTITY", "RESTRICT").contains(w)) {
        return Optional.empty();
      }
    }
    Set<Long> tables = new HashSet<>();
    for (String name : only) {
      Long oid = resolve(c, name);
      if (oid == null) {
        return Optional.empty();
      }
      tables.add(oid);
    }
    Set<Long> roots = new HashSet<>();
    for (String name : whole) {
      Long oid = resolve(c, name);
      if (oid == null) {
        return Optional.empty();
      }
      roots.add(oid);
    }
    tables.addAll(descendants(c, roots));
    if (cascade) {
      Set<Long> next = new HashSet<>(tables);
      while (!next.isEmpty()) {
        Set<Long> found = descendants(c, referencing(c, next));
        found.removeAll(tables);
        tables.addAll(found);
        next = found;
      }
    }
    Set<Long> out = new HashSet<>(tables);
    out.addAll(
        query(
            c,
            "SELECT indexrelid FROM pg_catalog.pg_index WHERE indrelid = ANY (?::oid[])",
            tables));
    return Optional.of(out);
  }

  private static Long resolve(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT c.oid FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(?)"
                + " AND c.relkind IN ('r', 'p')")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  /** {@code roots} with every inheritance child and partition under them. */
  private static Set<Long> descendants(Connection c, Set<Long> roots) throws SQLException {
    return query(
        c,
        "WITH RECURSIVE d (oid) AS (SELECT pg_catalog.unnest(?::oid[]) UNION SELECT i.inhrelid FROM d"
            + " JOIN pg_catalog.pg_inherits i ON i.inhparent = d.oid) SELECT oid FROM d",
        roots);
  }

  private static Set<Long> referencing(Connection c, Set<Long> tables) throws SQLException {
    return query(
        c,
        "SELECT DISTINCT conrelid FROM pg_catalog.pg_constraint WHERE contype = 'f'"
            + " AND confrelid = ANY (?::oid[])",
        tables);
  }

  private static Set<Long> query(Connection c, String sql, Set<Long> oids) throws SQLException {
    Set<Long> out = new HashSet<>();
    if (oids.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Array a = c.createArrayOf("bigint", oids.toArray());
      ps.setArray(1, a);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
    }
    return out;
  }
}
