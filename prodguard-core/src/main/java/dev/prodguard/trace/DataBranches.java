package dev.prodguard.trace;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.Severity;
import dev.prodguard.sql.SqlCode;
import dev.prodguard.sql.SqlSyntax;
import dev.prodguard.support.StatementProbe;
import dev.prodguard.support.StatementProbe.Relation;
import dev.prodguard.support.StatementProbe.State;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Procedural code that branches on data (G4, fail closed): a {@code DO} block, or a routine a
 * {@code SELECT} or {@code CALL} runs, that reads a table ({@code IF EXISTS (SELECT 1 FROM orders)
 * THEN ALTER TABLE ... END IF}) takes, on the copy, the branch of an empty table. When the table
 * holds rows on the target, the deploy may take the other branch, which the replay never ran: the
 * trace reports that statement as {@code trace-incomplete}, naming the table, instead of presenting
 * what the empty copy did as the fact.
 *
 * <p>What counts: the statement is a {@code DO} block, or a {@code SELECT}/{@code CALL} that calls
 * a user routine of the copy (by name, routines it calls followed); the code (the block, the
 * routines' bodies) holds a branch ({@code IF}, {@code CASE}, a loop, {@code EXIT}/{@code
 * CONTINUE}, an exception handler, dynamic {@code EXECUTE}) and something a branch may change
 * ({@link #CHANGE}): straight-line code, or a guard that can only raise, does the same to the
 * schema on any data; and it read a table (a sequential or index scan the server counted in the
 * statement's transaction) that exists on the target. Outside a transaction the server's counts of
 * the statement are gone before they can be read: then the tables the code names count as read.
 */
final class DataBranches {
  /** A branch in PL/pgSQL (or SQL's CASE): what makes the code's effects depend on the data. */
  private static final Pattern BRANCH =
      Pattern.compile(
          "\\b(IF|CASE|LOOP|WHILE|FOR|FOREACH|EXIT|CONTINUE|EXCEPTION|EXECUTE)\\b",
          Pattern.CASE_INSENSITIVE);

  /**
   * What changes something when a branch runs it: DDL, DML, dynamic SQL, a session or sequence
   * change, a call, a server function. Code that branches without any of these can only raise or
   * not (a guard: {@code IF EXISTS (...) THEN RAISE EXCEPTION ...}): what it does to the schema and
   * the rows does not depend on the data, and the statements after it are replayed as the deploy
   * runs them when it does not raise.
   */
  private static final Pattern CHANGE =
      Pattern.compile(
          "\\b(ALTER|CREATE|DROP|INSERT|UPDATE|DELETE|TRUNCATE|MERGE|COPY|GRANT|REVOKE|REINDEX"
              + "|CLUSTER|VACUUM|ANALYZE|LOCK|CALL|COMMENT|REFRESH|EXECUTE|SET|RESET|IMPORT|SECURITY"
              + "|NOTIFY|DISCARD|SETVAL|NEXTVAL|SET_CONFIG|PG_\\w+|LO_\\w+|DBLINK\\w*)\\b",
          Pattern.CASE_INSENSITIVE);

  /** An exception handler: the block it protects runs in a subtransaction, rolled back on error. */
  private static final Pattern HANDLER =
      Pattern.compile("\\bEXCEPTION\\s+WHEN\\b", Pattern.CASE_INSENSITIVE);

  /** Dynamic SQL: the tables it reaches need not be named in the code. */
  private static final Pattern DYNAMIC = Pattern.compile("\\bEXECUTE\\b", Pattern.CASE_INSENSITIVE);

  /** A name followed by an opening parenthesis: a call, perhaps of a user routine. */
  private static final Pattern CALL =
      Pattern.compile("\"?([A-Za-z_][A-Za-z0-9_$]*)\"?\\s*\\(", Pattern.CASE_INSENSITIVE);

  private DataBranches() {}

  /**
   * {@code t}, the trace of {@code sql}, with the tables its branching procedural code read ({@link
   * StatementTrace#proceduralReads}); {@code t} itself when it ran none or it read nothing. {@code
   * copied}: the target's name of each relation of the copy, by oid.
   */
  static StatementTrace observe(
      StatementProbe probe,
      Connection c,
      String sql,
      StatementTrace t,
      State before,
      State after,
      Map<Long, String> copied)
      throws SQLException {
    String first = SqlCode.firstWord(sql, SqlSyntax.POSTGRESQL);
    boolean block = "DO".equals(first);
    if (!block && !"CALL".equals(first) && !"SELECT".equals(first)) {
      return t;
    }
    Set<Long> read = t.inTransaction() ? scanned(before, after) : Set.of();
    if (t.inTransaction() && read.isEmpty()) {
      return t; // read no table: whatever it branches on, it is not the copy's missing rows
    }
    StringBuilder code = new StringBuilder(block ? sql : "");
    String calls = calledBodies(probe, c, sql);
    if (!block && calls.isEmpty()) {
      return t; // a plain SELECT or CALL of no user routine runs no procedural code of the user's
    }
    code.append('\n').append(calls);
    if (!BRANCH.matcher(code).find() || !CHANGE.matcher(code).find()) {
      return t; // straight-line code, or a guard that can only raise: the same on any data
    }
    if (!t.inTransaction()) {
      read = named(code.toString(), after);
    }
    List<String> names = new ArrayList<>();
    Map<String, String> onTarget = new HashMap<>();
    for (long oid : read) {
      Relation r = after.relations().get(oid);
      if (r == null) {
        continue;
      }
      names.add(r.name());
      String original = copied.get(oid);
      if (original != null) {
        onTarget.put(r.name(), original);
      }
    }
    if (names.isEmpty()) {
      return t;
    }
    names.sort(null);
    return t.withProceduralReads(names, onTarget);
  }

  /**
   * Why the locks of {@code sql} are not known, or empty: a {@code DO} block, or a routine a {@code
   * SELECT} or {@code CALL} runs (routines it calls followed), with an exception handler ({@code
   * BEGIN ... EXCEPTION WHEN ... END}) and something that takes locks ({@link #CHANGE}), that names
   * a table of the target or runs dynamic SQL. When the handler runs, PostgreSQL rolls the block it
   * protects back and releases every lock taken in it before the statement ends, so the session's
   * locks read after it do not show them; on the copy the block may fail where it does not on the
   * target, or the other way round. Fail closed: the trace stops there as incomplete.
   */
  static java.util.Optional<String> lockHidingHandler(
      StatementProbe probe, Connection c, String sql, State before, Map<Long, String> copied)
      throws SQLException {
    String first = SqlCode.firstWord(sql, SqlSyntax.POSTGRESQL);
    boolean block = "DO".equals(first);
    if (!block && !"CALL".equals(first) && !"SELECT".equals(first)) {
      return java.util.Optional.empty();
    }
    StringBuilder code = new StringBuilder(block ? sql : "");
    code.append('\n').append(calledBodies(probe, c, sql));
    if (!HANDLER.matcher(code).find() || !CHANGE.matcher(code).find()) {
      return java.util.Optional.empty();
    }
    List<String> names = new ArrayList<>();
    for (long oid : named(code.toString(), before)) {
      if (copied.containsKey(oid)) {
        names.add(before.relations().get(oid).name());
      }
    }
    names.sort(null);
    boolean dynamic = DYNAMIC.matcher(code).find();
    if (names.isEmpty() && !dynamic) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "runs procedural code with an exception handler (BEGIN ... EXCEPTION WHEN ... END) that"
            + (names.isEmpty()
                ? " runs dynamic SQL"
                : " names " + String.join(", ", names) + (dynamic ? " and runs dynamic SQL" : ""))
            + ": when the handler runs, PostgreSQL rolls the protected block back and releases the"
            + " locks taken in it before the trace can read them, so the locks this statement"
            + " takes on the target are not known, nor what the statements after it do (fail"
            + " closed); write it as plain statements (IF NOT EXISTS / IF EXISTS instead of a"
            + " handler that swallows the error)");
  }

  /**
   * {@code trace-incomplete} for each statement whose branching code read a table that holds rows
   * on the target (or whose rows are unknown), naming the table: the branch the deploy takes was
   * not replayed.
   */
  static List<Finding> incomplete(
      List<StatementTrace> traces, Map<String, StatementProbe.Size> sizes) {
    List<Finding> out = new ArrayList<>();
    for (StatementTrace t : traces) {
      for (String table : t.proceduralReads()) {
        String target = t.onTarget().get(table);
        StatementProbe.Size size = target == null ? null : sizes.get(target);
        if (size == null || size.rows() == 0) {
          continue; // created by a pending migration, or empty on the target as on the copy
        }
        out.add(
            new Finding(
                TraceFindings.INCOMPLETE,
                Severity.ERROR,
                new Location(t.file(), t.line(), 1),
                TraceFindings.id(t.migration()),
                t.migration()
                    + " line "
                    + t.line()
                    + " runs procedural code that branches on what it reads, and it read "
                    + (target.equals(table) ? table : table + " (" + target + " on the target)")
                    + ", which is empty in the trace's copy but holds "
                    + (size.rows() < 0 ? "rows" : TraceFindings.rows(size.rows()) + " rows")
                    + " on the target: the branch the deploy takes there was not replayed, so"
                    + " what this statement does, and what the statements after it do, is not"
                    + " known (fail closed)",
                excerpt(t.sql()),
                null,
                "G4",
                null));
        break;
      }
    }
    return out;
  }

  /** Tables whose rows the statement read: its sequential scans, and its tables' index scans. */
  private static Set<Long> scanned(State before, State after) {
    Map<String, Long> tables = new HashMap<>();
    after.relations().values().stream()
        .filter(r -> !r.isIndex())
        .forEach(r -> tables.put(r.name(), r.oid()));
    Set<Long> out = new LinkedHashSet<>();
    for (Relation a : after.relations().values()) {
      Relation b = before.relations().get(a.oid());
      if (b == null || a.scans() <= b.scans()) {
        continue;
      }
      Long table = a.isIndex() ? tables.get(a.table()) : Long.valueOf(a.oid());
      if (table != null && before.relations().containsKey(table)) {
        out.add(table);
      }
    }
    return out;
  }

  /** Tables of the copy whose name appears as a word in {@code code}. */
  private static Set<Long> named(String code, State after) {
    String lower = code.toLowerCase(Locale.ROOT);
    Set<Long> out = new LinkedHashSet<>();
    for (Relation r : after.relations().values()) {
      if (r.isIndex()) {
        continue;
      }
      String bare = r.name().substring(r.name().lastIndexOf('.') + 1).replace("\"", "");
      if (Pattern.compile("\\b" + Pattern.quote(bare.toLowerCase(Locale.ROOT)) + "\\b")
          .matcher(lower)
          .find()) {
        out.add(r.oid());
      }
    }
    return out;
  }

  /** The bodies of the user routines {@code sql} calls, and of those they call, joined. */
  private static String calledBodies(StatementProbe probe, Connection c, String sql)
      throws SQLException {
    Map<String, String> routines = null;
    StringBuilder out = new StringBuilder();
    Set<String> seen = new LinkedHashSet<>();
    List<String> todo = new ArrayList<>(List.of(sql));
    while (!todo.isEmpty()) {
      String text = todo.remove(todo.size() - 1);
      Matcher m = CALL.matcher(text);
      while (m.find()) {
        String name = m.group(1).toLowerCase(Locale.ROOT);
        if (seen.contains(name)) {
          continue;
        }
        if (routines == null) {
          routines = probe.routineBodies(c);
        }
        String body = routines.get(name);
        if (body != null) {
          seen.add(name);
          out.append(body).append('\n');
          todo.add(body);
        }
      }
    }
    return out.toString();
  }

  private static String excerpt(String sql) {
    String one = sql.strip().replaceAll("\\s+", " ");
    return one.length() > 200 ? one.substring(0, 197) + "..." : one;
  }
}
