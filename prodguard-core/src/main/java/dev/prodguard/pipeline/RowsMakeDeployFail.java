package dev.prodguard.pipeline;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.environment.Target;
import dev.prodguard.lint.Linter;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * G7 in {@code verify}: a pending statement whose failure the target's rows make certain is a
 * deploy failure before the backup, as {@code deploy-will-fail} is for what the files alone decide.
 *
 * <p>PostgreSQL only: {@code ADD COLUMN c <built-in type> NOT NULL} without a default on a table
 * that holds a row ({@code SELECT EXISTS (SELECT 1 FROM t)} on the target, which reads one row,
 * never the table) is refused by the server ("column contains null values"). MariaDB fills the
 * column with the type's implicit default instead (only a date under a strict NO_ZERO_DATE session
 * mode is refused, and the session's mode is not the files' to decide), so nothing is predicted
 * there. Only what is certain is predicted: never for a table something earlier in the pending set
 * (or a callback) may create, drop, rename, empty or reach through code prodguard cannot see, never
 * for a type that may bring its own default (a domain, serial), never with IF NOT EXISTS.
 */
final class RowsMakeDeployFail {
  /** Built-in types without an implicit default: such a NOT NULL column is null in every row. */
  private static final Set<String> PLAIN_TYPES =
      Set.of(
          "text",
          "varchar",
          "character",
          "char",
          "bpchar",
          "int",
          "integer",
          "int2",
          "int4",
          "int8",
          "smallint",
          "bigint",
          "boolean",
          "bool",
          "numeric",
          "decimal",
          "real",
          "double",
          "float",
          "float4",
          "float8",
          "date",
          "timestamp",
          "timestamptz",
          "time",
          "timetz",
          "interval",
          "uuid",
          "json",
          "jsonb",
          "bytea",
          "inet",
          "cidr",
          "citext",
          "money");

  /** Earlier operations after which no row count of the target is certain any more. */
  private static final Set<OpKind> OPAQUE =
      Set.of(
          OpKind.DO_BLOCK,
          OpKind.CALL,
          OpKind.FUNCTION_CALL,
          OpKind.DYNAMIC_SQL,
          OpKind.UNKNOWN,
          OpKind.SET_SESSION,
          OpKind.RENAME_TABLE,
          OpKind.DROP_SCHEMA,
          OpKind.CREATE_SCHEMA,
          OpKind.DELETE,
          OpKind.TRUNCATE,
          OpKind.MERGE,
          OpKind.CREATE_RULE,
          OpKind.CREATE_TRIGGER);

  /** Earlier operations on the very table after which its rows are not the target's rows. */
  private static final Set<OpKind> REPLACES =
      Set.of(OpKind.DROP_TABLE, OpKind.CREATE_TABLE, OpKind.CREATE_VIEW, OpKind.DROP_VIEW);

  /** One SQL script the deploy runs, in order; empty text when it cannot be analysed here. */
  record Script(String shown, Optional<String> text) {}

  private record Candidate(String shown, int line, String table, String column, String excerpt) {}

  private RowsMakeDeployFail() {}

  /**
   * The certain failures, one line each in the form of the other deploy failures.
   *
   * @param before what runs before the pending migrations and may touch any table (callbacks)
   * @param pending the pending migrations in the order the deploy runs them
   */
  static List<String> failures(
      DatabaseKind kind, List<Script> before, List<Script> pending, Target target) {
    if (!target.dialect().notNullColumnFailsOnRows()) {
      return List.of();
    }
    Set<String> touched = new HashSet<>();
    boolean[] opaque = {false};
    for (Script s : before) {
      scan(kind, s, touched, opaque, null);
    }
    List<Candidate> candidates = new ArrayList<>();
    for (Script s : pending) {
      if (opaque[0]) {
        break;
      }
      scan(kind, s, touched, opaque, candidates);
    }
    List<String> out = new ArrayList<>();
    if (candidates.isEmpty()) {
      return out;
    }
    try (Target.Checked checked = target.openToRead()) {
      for (Candidate k : candidates) {
        if (holdsRows(checked.connection(), k.table())) {
          out.add(
              k.shown()
                  + ":"
                  + k.line()
                  + ": [deploy-will-fail] adds NOT NULL column "
                  + k.table()
                  + "."
                  + k.column()
                  + " without a default, and "
                  + k.table()
                  + " holds rows on this target: PostgreSQL will refuse it (column contains null"
                  + " values) ("
                  + k.excerpt()
                  + ")\n  fix: add the column as nullable (or with a DEFAULT), backfill it, then"
                  + " SET NOT NULL in a later migration");
        }
      }
    } catch (SQLException e) {
      return List.of(); // not certain: the deploy will tell
    }
    return out;
  }

  private static void scan(
      DatabaseKind kind,
      Script s,
      Set<String> touched,
      boolean[] opaque,
      List<Candidate> candidates) {
    if (s.text().isEmpty()) {
      opaque[0] = true;
      return;
    }
    List<Operation> ops = new ArrayList<>();
    new Linter(kind).analyse(s.shown(), s.text().get(), ops::add);
    for (int i = 0; i < ops.size() && !opaque[0]; i++) {
      Operation op = ops.get(i);
      if (candidates != null
          && op.kind() == OpKind.ADD_COLUMN
          && op.has(Flag.NOT_NULL)
          && !op.has(Flag.HAS_DEFAULT)
          && !op.has(Flag.IN_BODY)
          && op.target() != null
          && op.column() != null
          && !touched.contains(bare(op.target()))
          && plainColumn(op)
          && onlyAddsColumns(ops, op)) {
        candidates.add(
            new Candidate(
                s.shown(),
                op.statement().line(),
                op.target(),
                op.column(),
                op.statement().excerpt(100)));
      }
      if (OPAQUE.contains(op.kind()) || op.has(Flag.OPAQUE) || op.has(Flag.TEMPORARY)) {
        opaque[0] = true;
      } else if (REPLACES.contains(op.kind()) || op.kind() == OpKind.ADD_COLUMN) {
        // a table made or replaced here is not the target's; a column added once is known here
        if (op.target() == null) {
          opaque[0] = true;
        } else if (REPLACES.contains(op.kind())) {
          touched.add(bare(op.target()));
        }
      }
    }
  }

  /** The statement of {@code op} does nothing but add columns (no SET DEFAULT beside it). */
  private static boolean onlyAddsColumns(List<Operation> ops, Operation op) {
    return ops.stream()
        .filter(o -> o.statement().equals(op.statement()))
        .allMatch(o -> o.kind() == OpKind.ADD_COLUMN);
  }

  /**
   * The column's type, as written, is a plain built-in one, the names are unquoted and the clause
   * has no IF NOT EXISTS (an existing column would make it a no-op).
   */
  private static boolean plainColumn(Operation op) {
    String text = op.statement().text();
    if (text.indexOf('"') >= 0 || !op.target().matches("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?")) {
      return false;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    Matcher m =
        Pattern.compile(
                "\\badd\\s+(?:column\\s+)?(if\\s+not\\s+exists\\s+)?"
                    + Pattern.quote(op.column())
                    + "\\s+([a-z_][a-z0-9_]*)")
            .matcher(lower);
    if (!m.find() || m.group(1) != null) {
      return false;
    }
    return PLAIN_TYPES.contains(m.group(2));
  }

  private static String bare(String table) {
    int dot = table.lastIndexOf('.');
    return dot < 0 ? table : table.substring(dot + 1);
  }

  /**
   * Whether every table the deploy may mean by this name holds a row: a qualified name is one
   * table; an unqualified one is each ordinary or partitioned table of that name outside the system
   * schemas (the deploy's search path may reach any). Any doubt, a read that fails or waits on a
   * lock, answers no: nothing is predicted.
   */
  private static boolean holdsRows(Connection c, String table) {
    int dot = table.indexOf('.');
    String schema = dot < 0 ? null : table.substring(0, dot);
    String name = dot < 0 ? table : table.substring(dot + 1);
    try {
      List<String> found = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname)"
                  + " FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace"
                  + " WHERE t.relname = ? AND t.relkind IN ('r', 'p')"
                  + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                  + " AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
                  + " AND (? IS NULL OR n.nspname = ?)")) {
        ps.setString(1, name);
        ps.setString(2, schema);
        ps.setString(3, schema);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.add(rs.getString(1));
          }
        }
      }
      if (found.isEmpty()) {
        return false;
      }
      for (String t : found) {
        try (Statement st = c.createStatement()) {
          st.setQueryTimeout(5);
          try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + t + ")")) {
            if (!rs.next() || !rs.getBoolean(1)) {
              return false;
            }
          }
        }
      }
      return true;
    } catch (SQLException e) {
      return false; // not certain: the deploy will tell
    }
  }
}
