package dev.prodguard.trace;

import dev.prodguard.sql.SqlCode;
import dev.prodguard.sql.SqlSyntax;
import dev.prodguard.support.StatementProbe.Lock;
import dev.prodguard.support.StatementProbe.Relation;
import dev.prodguard.support.StatementProbe.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The facts of one replayed statement that the copy alone does not show as they will be on the
 * target (docs/trace.md): the locks the migration's transaction already holds (PostgreSQL keeps
 * every lock to the commit, so a scan runs under a lock an earlier statement took), the locks on
 * indexes (REINDEX holds ACCESS EXCLUSIVE on each index it rebuilds, which blocks every query on
 * the table), the row triggers of a table the statement writes (they fire for no row on the empty
 * copy), and a {@code SET TABLESPACE} that is a no-op on the copy (it holds no tablespaces) but
 * copies the relation on the target.
 */
final class ReplayFacts {
  private ReplayFacts() {}

  /** {@code SET TABLESPACE name}, the name plain or quoted. */
  private static final Pattern SET_TABLESPACE =
      Pattern.compile(
          "(?i)\\bSET\\s+TABLESPACE\\s+(\"(?:[^\"]|\"\")+\"|[\\p{L}_][\\p{L}\\p{N}_$]*)");

  /** Statements that write rows of a table (and so fire its row triggers). */
  private static final Set<String> WRITES =
      Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "COPY");

  /**
   * The existing tables (not indexes) that {@code sql} wrote: ROW EXCLUSIVE taken by it, or held
   * and the statement is a write.
   */
  static Set<String> writes(String sql, State before, State after) {
    Set<String> out = new LinkedHashSet<>();
    Set<String> had = new java.util.HashSet<>();
    before.locks().stream()
        .filter(l -> l.mode().equals("RowExclusiveLock"))
        .forEach(l -> had.add(l.relation()));
    boolean write = WRITES.contains(SqlCode.firstWord(sql, SqlSyntax.POSTGRESQL));
    Map<String, Relation> existing = byName(before);
    for (Lock l : after.locks()) {
      Relation r = existing.get(l.relation());
      if (r == null || r.isIndex() || !l.mode().equals("RowExclusiveLock")) {
        continue;
      }
      if (write || !had.contains(l.relation())) {
        out.add(l.relation());
      }
    }
    return out;
  }

  /**
   * {@code t} with the held locks, the index locks, the row triggers of the tables it wrote ({@code
   * triggers}, by table) and a tablespace move the copy could not show ({@code tablespaces}: by the
   * target's name, the relations not in the database's default tablespace; the key {@code ""} holds
   * the default's name).
   */
  static StatementTrace enrich(
      StatementTrace t,
      State before,
      State after,
      Map<Long, String> copied,
      Map<String, List<String>> triggers,
      Map<String, String> tablespaces) {
    Map<String, Relation> now = byName(after);
    Map<String, String> heldBefore = new HashMap<>();
    before.locks().forEach(l -> heldBefore.merge(l.relation(), l.mode(), ReplayFacts::stronger));
    Map<String, String> held = new LinkedHashMap<>();
    List<StatementTrace.IndexLock> indexLocks = new ArrayList<>();
    for (Lock l : after.locks()) {
      Relation r = now.get(l.relation());
      if (r == null || !before.relations().containsKey(r.oid())) {
        continue;
      }
      if (!r.isIndex()) {
        if (t.inTransaction()) {
          held.merge(l.relation(), l.mode(), ReplayFacts::stronger);
        }
        continue;
      }
      String had = heldBefore.get(l.relation());
      if (LockModes.blocks(l.mode()) != null
          && (had == null || LockModes.strength(l.mode()) > LockModes.strength(had))) {
        indexLocks.add(new StatementTrace.IndexLock(l.relation(), r.table(), l.mode()));
      }
    }
    indexLocks.sort(java.util.Comparator.comparing(StatementTrace.IndexLock::index));
    List<Lock> heldList = new ArrayList<>();
    held.forEach((rel, mode) -> heldList.add(new Lock(rel, mode)));
    List<StatementTrace.RowTriggers> rowTriggers = new ArrayList<>();
    triggers.forEach(
        (table, names) -> rowTriggers.add(new StatementTrace.RowTriggers(table, names)));
    List<String> rewritten = new ArrayList<>(t.rewritten());
    List<StatementTrace.IndexBuilt> built = new ArrayList<>(t.indexesBuilt());
    String code = code(t.sql());
    Matcher m = SET_TABLESPACE.matcher(code);
    if (m.find() && !tablespaces.isEmpty()) {
      String to = identifier(m.group(1));
      List<String> moved = new ArrayList<>();
      t.locks().stream()
          .filter(l -> l.mode().equals("AccessExclusiveLock"))
          .forEach(l -> moved.add(l.relation()));
      // a relation whose ACCESS EXCLUSIVE an earlier statement of the transaction took: the
      // statement takes no new lock on it, so it counts when the statement names it
      String lower = code.toLowerCase(Locale.ROOT);
      held.forEach(
          (rel, mode) -> {
            String name = rel.substring(rel.lastIndexOf('.') + 1).replace("\"", "");
            if (mode.equals("AccessExclusiveLock")
                && !moved.contains(rel)
                && Pattern.compile(
                        "(?<![\\p{L}\\p{N}_$])"
                            + Pattern.quote(name.toLowerCase(Locale.ROOT))
                            + "(?![\\p{L}\\p{N}_$])")
                    .matcher(lower)
                    .find()) {
              moved.add(rel);
            }
          });
      indexLocks.stream()
          .filter(l -> l.mode().equals("AccessExclusiveLock"))
          .forEach(l -> moved.add(l.index()));
      for (String rel : moved) {
        Relation r = now.get(rel);
        String onTarget = r == null ? null : copied.get(r.oid());
        if (onTarget == null) {
          continue; // not on the target: created by a pending migration
        }
        String from = tablespaces.getOrDefault(onTarget, tablespaces.get(""));
        if (from == null || from.equals(to)) {
          continue; // the same tablespace: a no-op on the target too
        }
        tablespaces.put(onTarget, to); // where the deploy leaves it for the statements after it
        if (r.isIndex()) {
          if (built.stream().noneMatch(i -> i.name().equals(rel))) {
            built.add(new StatementTrace.IndexBuilt(rel, r.table(), false, true));
          }
        } else if (!rewritten.contains(rel)) {
          rewritten.add(rel);
        }
      }
    }
    List<String> everyRow = everyRow(code, after, before);
    Map<String, String> onTarget = new HashMap<>(t.onTarget());
    Set<String> named = new LinkedHashSet<>(rewritten);
    named.addAll(everyRow);
    built.forEach(i -> named.add(i.table()));
    indexLocks.forEach(l -> named.add(l.table()));
    named.addAll(triggers.keySet());
    for (String table : named) {
      Relation r = now.get(table);
      String original = r == null ? null : copied.get(r.oid());
      if (original != null) {
        onTarget.putIfAbsent(table, original);
      }
    }
    return new StatementTrace(
        t.migration(),
        t.file(),
        t.line(),
        t.sql(),
        t.millis(),
        t.inTransaction(),
        t.locks(),
        rewritten,
        t.scanned().stream().filter(s -> !rewritten.contains(s)).toList(),
        built,
        t.dropped(),
        t.renamed(),
        t.constraintsAdded(),
        onTarget,
        t.proceduralReads(),
        heldList,
        indexLocks,
        rowTriggers,
        everyRow,
        t.unknownBranches());
  }

  /** {@code UPDATE [ONLY] name} or {@code DELETE FROM [ONLY] name}, after any {@code WITH}. */
  private static final Pattern WRITTEN =
      Pattern.compile(
          "(?i)^(?:UPDATE|DELETE\\s+FROM)\\s+(?:ONLY\\s+)?((?:(?:\"(?:[^\"]|\"\")+\"|[\\p{L}_]"
              + "[\\p{L}\\p{N}_$]*)\\s*\\.\\s*)?(?:\"(?:[^\"]|\"\")+\"|[\\p{L}_][\\p{L}\\p{N}_$]*))");

  /**
   * The existing tables an {@code UPDATE} or {@code DELETE} without a {@code WHERE} (at the
   * statement's own level, not in a subquery or a CTE) writes every row of: the table it names,
   * matched to the ROW EXCLUSIVE locks the transaction holds on tables that existed before it (by
   * its name as written, qualified or not; a name found in two schemas names both). A {@code WHERE}
   * is taken as a selection (how many rows it matches on the target is not known here).
   */
  static List<String> everyRow(String code, State after, State before) {
    String top = topLevel(code);
    Matcher m = Pattern.compile("(?i)\\b(UPDATE|DELETE)\\b").matcher(top);
    if (!m.find()) {
      return List.of();
    }
    String first = SqlCode.firstWord(code, SqlSyntax.POSTGRESQL);
    if (!first.equals("UPDATE") && !first.equals("DELETE") && !first.equals("WITH")) {
      return List.of();
    }
    String main = top.substring(m.start()).strip();
    if (Pattern.compile("(?i)\\bWHERE\\b").matcher(main).find()) {
      return List.of();
    }
    Matcher n = WRITTEN.matcher(main);
    if (!n.find()) {
      return List.of();
    }
    String written = n.group(1).replaceAll("\\s+", "");
    int dot = lastDot(written);
    String schema = dot < 0 ? null : identifier(written.substring(0, dot));
    String name = identifier(written.substring(dot + 1));
    Map<String, Relation> existing = byName(before);
    List<String> out = new ArrayList<>();
    for (Lock l : after.locks()) {
      Relation r = existing.get(l.relation());
      if (r == null || r.isIndex() || !l.mode().equals("RowExclusiveLock")) {
        continue;
      }
      String rel = l.relation();
      int d = lastDot(rel);
      if (identifier(rel.substring(d + 1)).equals(name)
          && (schema == null || identifier(rel.substring(0, d)).equals(schema))
          && !out.contains(rel)) {
        out.add(rel);
      }
    }
    out.sort(null);
    return out;
  }

  /** The last dot outside double quotes; -1 when none. */
  private static int lastDot(String name) {
    boolean quoted = false;
    int at = -1;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '.' && !quoted) {
        at = i;
      }
    }
    return at;
  }

  /** {@code code} with what is inside parentheses (subqueries, CTE bodies, calls) left out. */
  private static String topLevel(String code) {
    StringBuilder out = new StringBuilder(code.length());
    int depth = 0;
    boolean quoted = false;
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      }
      if (!quoted && c == '(') {
        depth++;
        out.append(' ');
      } else if (!quoted && c == ')') {
        depth = Math.max(0, depth - 1);
        out.append(' ');
      } else if (depth == 0) {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static Map<String, Relation> byName(State s) {
    Map<String, Relation> out = new HashMap<>();
    s.relations().values().forEach(r -> out.put(r.name(), r));
    return out;
  }

  /** The statement's code: comments and string literals blanked, so neither reads as a clause. */
  private static String code(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '-' && sql.startsWith("--", i)) {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? sql.length() : end;
        out.append(' ');
      } else if (c == '/' && sql.startsWith("/*", i)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? sql.length() : end + 2;
        out.append(' ');
      } else if (c == '\'') {
        int j = i + 1;
        while (j < sql.length()) {
          if (sql.charAt(j) == '\'') {
            if (j + 1 < sql.length() && sql.charAt(j + 1) == '\'') {
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        i = j + 1;
        out.append("''");
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** A tablespace name as the catalog holds it: a quoted one as written, a plain one folded. */
  private static String identifier(String written) {
    if (written.startsWith("\"")) {
      return written.substring(1, written.length() - 1).replace("\"\"", "\"");
    }
    return written.toLowerCase(Locale.ROOT);
  }

  private static String stronger(String a, String b) {
    return LockModes.strength(a) >= LockModes.strength(b) ? a : b;
  }
}
