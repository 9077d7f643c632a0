package dev.prodguard.trace;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.Severity;
import dev.prodguard.support.StatementProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Joins what the server did for each statement ({@link StatementTrace}) with the size of the
 * target's tables it did it to ({@link StatementProbe.Size}) into findings of the one findings
 * model: one per statement and table that holds rows on the target, naming the lock, what it
 * blocks, and for how long (a rewrite, a scan of every row, an index build, or just the statement).
 */
final class TraceFindings {
  static final String REWRITE = "trace-table-rewrite";
  static final String SCAN = "trace-full-scan-under-lock";
  static final String VALIDATION = "trace-validating-constraint";
  static final String INDEX = "trace-index-build-blocks-writes";
  static final String LOCK = "trace-blocking-lock";
  static final String FAILED = "trace-statement-failed";
  static final String INCOMPLETE = "trace-incomplete";
  static final String TRIGGERS = "trace-row-triggers-not-traced";
  static final String EVERY_ROW = "trace-every-row-locked";

  /**
   * Lint's rules trace also reports, for a WHERE that holds for every row only by the catalog's NOT
   * NULL facts ({@link StatementTrace#whereHolds}): the contract forbids them and excepts them
   * under these ids, as lint's findings.
   */
  static final java.util.Set<String> WHERE_RULES =
      java.util.Set.of("delete-without-where", "update-without-where");

  /** Every rule id trace reports, in documentation order. */
  static final List<String> RULES =
      List.of(REWRITE, SCAN, VALIDATION, INDEX, LOCK, EVERY_ROW, TRIGGERS, FAILED, INCOMPLETE);

  private TraceFindings() {}

  /**
   * @param kind the target's dialect (trace is PostgreSQL's), for reading a statement's text
   */
  static List<Finding> of(
      List<StatementTrace> traces,
      Map<String, StatementProbe.Size> sizes,
      TracePolicy policy,
      dev.prodguard.db.DatabaseKind kind) {
    List<Finding> out = new ArrayList<>();
    for (StatementTrace t : traces) {
      for (String table : t.tables()) {
        String targetName = t.onTarget().get(table);
        StatementProbe.Size size = targetName == null ? null : sizes.get(targetName);
        if (size == null) {
          continue; // not on the target: created by a pending migration, empty when it runs
        }
        Finding f = finding(t, table, targetName, size, policy);
        if (f != null) {
          out.add(f);
        }
        Finding whereHolds = whereHolds(t, table, targetName, size, policy);
        if (whereHolds != null) {
          out.add(whereHolds);
        }
        Finding everyRow = everyRow(t, table, targetName, size, policy);
        if (everyRow != null) {
          out.add(everyRow);
        }
        Finding triggers = triggers(t, table, targetName, size, policy);
        if (triggers != null) {
          out.add(triggers);
        }
        Finding write = protectedWrite(t, table, targetName, policy, kind);
        if (write != null) {
          out.add(write);
        }
      }
    }
    return out;
  }

  /**
   * Lock modes a statement takes on a table whose rows it writes (INSERT, UPDATE, DELETE, MERGE).
   */
  private static final java.util.Set<String> WRITE_MODES =
      java.util.Set.of("RowExclusiveLock", "ExclusiveLock");

  /**
   * A write of a protected table (G4), as the server did it: the statement took ROW EXCLUSIVE (the
   * lock of every INSERT, UPDATE, DELETE and MERGE) on a table of the contract's protected-tables,
   * or on a partition or inheritance child of one, whatever led there: its own text, a trigger of a
   * table it wrote, a rule, a write of an inheritance parent without ONLY. Only an UPDATE the
   * statement itself makes of that table, setting writable columns alone, is let through.
   */
  private static Finding protectedWrite(
      StatementTrace t,
      String table,
      String targetName,
      TracePolicy policy,
      dev.prodguard.db.DatabaseKind kind) {
    String own = t.lockOn(table);
    if (own == null || !WRITE_MODES.contains(own)) {
      return null;
    }
    java.util.Optional<String> as = policy.protectedAs(targetName);
    if (as.isEmpty() || writableUpdate(t.sql(), targetName, policy.writable(as.get()), kind)) {
      return null;
    }
    String what =
        as.get().equals(targetName)
            ? "protected table " + targetName
            : targetName + ", a partition (or inheritance child) of protected table " + as.get();
    String message =
        t.migration()
            + " line "
            + t.line()
            + " writes "
            + what
            + " (the server took "
            + LockModes.sqlName(own)
            + " on it while replaying the statement on the copy)"
            + path(t, table, targetName, policy)
            + "; the contract lets no migration write it";
    return new Finding(
        dev.prodguard.contract.RuleIds.PROTECTED_TABLE_WRITE,
        Severity.ERROR,
        new Location(t.file(), t.line(), 1),
        id(t.migration()),
        message,
        excerpt(t.sql()),
        "Leave the protected table alone: drop or change what writes it (the trigger or rule of the"
            + " table the statement writes, or write an inheritance parent with ONLY), or change"
            + " the contract in a reviewed commit, or add a contract exception for this one"
            + " migration with a reason.",
        "G4",
        null);
  }

  /**
   * What led the statement to {@code table}, as far as the facts tell: an inheritance parent it
   * wrote, the row triggers of the other tables it wrote; empty when its text names the table.
   */
  private static String path(
      StatementTrace t, String table, String targetName, TracePolicy policy) {
    List<String> parents = new ArrayList<>();
    for (String other : t.tables()) {
      String otherTarget = t.onTarget().get(other);
      String mode = t.lockOn(other);
      if (!other.equals(table)
          && otherTarget != null
          && mode != null
          && WRITE_MODES.contains(mode)
          && policy.ancestors().getOrDefault(targetName, List.of()).contains(otherTarget)) {
        parents.add(otherTarget);
      }
    }
    if (!parents.isEmpty()) {
      return ": it writes "
          + String.join(", ", parents)
          + " without ONLY, and "
          + targetName
          + " inherits from it, so its rows are written too";
    }
    List<String> triggers = new ArrayList<>();
    for (StatementTrace.RowTriggers r : t.rowTriggers()) {
      if (!r.table().equals(table)) {
        triggers.add(String.join(", ", r.triggers()) + " on " + r.table());
      }
    }
    if (!triggers.isEmpty()) {
      return ", through the row trigger(s) " + String.join("; ", triggers);
    }
    return names(t.sql(), targetName)
        ? ""
        : ", through a trigger, rule or foreign-key action of a table it writes";
  }

  /** Whether the statement's text names the table (its last name part, as a word). */
  private static boolean names(String sql, String table) {
    String bare = table.substring(table.lastIndexOf('.') + 1).replace("\"", "");
    return java.util.regex.Pattern.compile(
            "(?i)(?<![\\w$])\"?" + java.util.regex.Pattern.quote(bare) + "\"?(?![\\w$])")
        .matcher(sql)
        .find();
  }

  /**
   * Whether {@code sql} is an UPDATE of {@code table} setting only {@code writable} columns, and
   * writes no other way: the contract's writable columns.
   */
  private static boolean writableUpdate(
      String sql,
      String table,
      java.util.Set<String> writable,
      dev.prodguard.db.DatabaseKind kind) {
    if (writable.isEmpty()) {
      return false;
    }
    String bare = table.substring(table.lastIndexOf('.') + 1).replace("\"", "");
    boolean[] update = {false};
    boolean[] other = {false};
    new dev.prodguard.lint.Linter(kind)
        .analyse(
            "statement.sql",
            sql,
            op -> {
              if (!op.kind().touchesTable() || op.target() == null) {
                return;
              }
              String target = op.target().substring(op.target().lastIndexOf('.') + 1);
              if (!target.replace("\"", "").equalsIgnoreCase(bare)) {
                return;
              }
              if (op.kind() == dev.prodguard.sql.OpKind.UPDATE
                  && !op.columns().isEmpty()
                  && !op.has(dev.prodguard.sql.Operation.Flag.IN_BODY)
                  && op.columns().stream()
                      .allMatch(c -> writable.contains(c.toLowerCase(Locale.ROOT)))) {
                update[0] = true;
              } else {
                other[0] = true;
              }
            });
    return update[0] && !other[0];
  }

  private static Finding finding(
      StatementTrace t,
      String table,
      String targetName,
      StatementProbe.Size size,
      TracePolicy policy) {
    // what the statement runs under: its own lock, what its transaction already holds (every
    // lock is kept to the commit), and its locks on the table's indexes (a query locks them all)
    String own = t.lockOn(table);
    String held = t.heldOn(table);
    List<StatementTrace.IndexLock> onIndexes =
        t.indexLocks().stream().filter(l -> l.table().equals(table)).toList();
    String index = null;
    for (StatementTrace.IndexLock l : onIndexes) {
      index = stronger(index, l.mode());
    }
    String taken = stronger(own, index);
    String mode = stronger(taken, held);
    String lock = mode == null ? null : LockModes.sqlName(mode);
    String blocks = mode == null ? null : LockModes.blocks(mode);
    String where =
        table
            + " ("
            + (targetName.equals(table) ? "" : targetName + " on the target: ")
            + describe(size)
            + ")";
    String head = t.migration() + " line " + t.line() + " ";
    String lockText;
    if (mode == null) {
      lockText = "";
    } else if (held != null && LockModes.strength(held) > LockModes.strength(taken)) {
      lockText =
          "holds "
              + lock
              + " on "
              + where
              + " (taken earlier in the migration's transaction, held until it commits) and ";
    } else if (index != null && LockModes.strength(index) > LockModes.strength(own)) {
      lockText =
          (own == null ? "takes " : "takes " + LockModes.sqlName(own) + " on " + where + " and ")
              + LockModes.sqlName(index)
              + " on "
              + (onIndexes.size() == 1 ? "its index " : "its indexes ")
              + String.join(", ", onIndexes.stream().map(StatementTrace.IndexLock::index).toList())
              + (own == null ? " (of " + where + ")" : "")
              + " (every query on the table locks all its indexes) and ";
    } else {
      lockText = "takes " + lock + " on " + where + " and ";
    }
    String blockText = blocks == null ? "" : "; blocks " + blocks + " for ";
    String rule;
    String message;
    String recipe;
    boolean rewrite = t.rewritten().contains(table);
    List<StatementTrace.IndexBuilt> builds =
        t.indexesBuilt().stream()
            .filter(i -> i.table().equals(table) && !i.concurrently())
            .toList();
    StatementTrace.ConstraintAdded validated =
        t.constraintsAdded().stream()
            .filter(
                k ->
                    k.table().equals(table)
                        && k.validated()
                        && (k.type() == 'f' || k.type() == 'c'))
            .findFirst()
            .orElse(null);
    if (rewrite) {
      rule = REWRITE;
      message =
          head
              + (lock == null ? "rewrites " + where : lockText + "rewrites it")
              + (blocks == null ? "" : blockText + "the rewrite");
      recipe = rewriteRecipe(t.sql());
    } else if (!builds.isEmpty()) {
      rule = INDEX;
      boolean rebuilt = builds.stream().allMatch(StatementTrace.IndexBuilt::rebuilt);
      String what =
          (rebuilt ? "rebuilds " : "builds ")
              + (builds.size() == 1 ? "index " : "indexes ")
              + String.join(", ", builds.stream().map(StatementTrace.IndexBuilt::name).toList());
      message =
          head
              + (lock == null ? what + " on " + where : lockText + what)
              + (blocks == null ? "" : blockText + "the build");
      recipe =
          rebuilt
              ? "REINDEX INDEX CONCURRENTLY in a migration of its own; for an ALTER TABLE that"
                  + " rebuilds the index: drop the index first, then CREATE INDEX CONCURRENTLY in a"
                  + " migration of its own after the change"
              : "CREATE INDEX CONCURRENTLY in a migration of its own (it cannot run in a"
                  + " transaction): reads and writes go on while it builds";
    } else if (validated != null) {
      rule = VALIDATION;
      message =
          head
              + (lock == null ? "" : lockText)
              + "adds "
              + validated.typeName()
              + " "
              + validated.name()
              + (lock == null ? " on " + where : "")
              + " validating every row"
              + (blocks == null ? "" : blockText + "the validation");
      recipe =
          "ADD CONSTRAINT ... NOT VALID (brief lock), then ALTER TABLE ... VALIDATE CONSTRAINT in a"
              + " migration of its own: it scans under SHARE UPDATE EXCLUSIVE, reads and writes go"
              + " on";
    } else if (t.scanned().contains(table) && blocks != null) {
      rule = SCAN;
      message = head + lockText + "reads every row" + blockText + "the scan";
      recipe =
          t.sql().toUpperCase(Locale.ROOT).contains("NOT NULL")
              ? "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (reads"
                  + " and writes go on); then SET NOT NULL, which uses the valid check instead of"
                  + " a scan (PostgreSQL 12+); then drop the check"
              : "split the change so the scan runs under a lock that lets writes through"
                  + " (NOT VALID, then VALIDATE)";
    } else if (taken != null
        && LockModes.blocks(taken) != null
        && (held == null || LockModes.strength(held) <= LockModes.strength(taken))) {
      // a lock of its own (a lock its transaction held already was reported where it was taken)
      rule = LOCK;
      lock = LockModes.sqlName(taken);
      blocks = LockModes.blocks(taken);
      message =
          head
              + lockText.substring(0, lockText.length() - " and ".length())
              + "; blocks "
              + blocks
              + (t.inTransaction()
                  ? " until the migration's transaction commits (PostgreSQL holds every lock to"
                      + " the end of the transaction: the statements after it run under it)"
                  : " for the statement")
              + ", and while it waits for the lock every later query on the table waits behind"
              + " it";
      recipe =
          "SET lock_timeout (e.g. '5s') before it, so a long transaction ahead of it makes the"
              + " deploy fail fast instead of queueing the application behind its lock";
    } else {
      return null;
    }
    return judged(rule, t, targetName, lock, size, policy, message, recipe);
  }

  /**
   * The finding of {@code rule} on statement {@code t}, its severity and the reason it is an error
   * (a contract limit, a protected table) from {@code policy}, said in the message.
   */
  private static Finding judged(
      String rule,
      StatementTrace t,
      String targetName,
      String lock,
      StatementProbe.Size size,
      TracePolicy policy,
      String message,
      String recipe) {
    Severity severity = policy.severity(rule, targetName, lock, size);
    String why = policy.why(rule, targetName, lock, size);
    return new Finding(
        rule,
        severity,
        new Location(t.file(), t.line(), 1),
        id(t.migration()),
        why.isEmpty() ? message : message + " (an error: " + why + ")",
        excerpt(t.sql()),
        recipe,
        "G4",
        null);
  }

  /**
   * G4: an {@code UPDATE} or {@code DELETE} whose WHERE holds for every row of a table that holds
   * rows on the target (rows unknown included: fail closed), as only the catalog's NOT NULL facts
   * show ({@code WHERE queue_name IS NOT NULL} of a primary-key column): lint's {@code
   * delete-without-where} / {@code update-without-where} finding, so the contract's forbidden list
   * and exceptions apply to it as to lint's. The copy holds no rows, so it is judged from the
   * condition and the catalog, never from rows counted.
   */
  private static Finding whereHolds(
      StatementTrace t,
      String table,
      String targetName,
      StatementProbe.Size size,
      TracePolicy policy) {
    StatementTrace.WhereHolds h = t.whereHoldsOn(table);
    if (h == null || !h.byCatalog() || size.rows() == 0) {
      return null;
    }
    boolean delete = h.rule().equals("delete-without-where");
    String message =
        t.migration()
            + " line "
            + t.line()
            + (delete ? " deletes" : " updates")
            + " every row of "
            + table
            + " ("
            + (targetName.equals(table) ? "" : targetName + " on the target: ")
            + describe(size)
            + "): its WHERE holds for every row by the NOT NULL columns the target's catalog"
            + " declares"
            + (h.reason() != null ? " (" + h.reason() + ")" : "")
            + ", so it counts as no WHERE";
    return judged(
        h.rule(),
        t,
        targetName,
        null,
        size,
        policy,
        message,
        delete
            ? "Add a WHERE clause that names exactly the rows to remove (and batch large deletes:"
                + " DELETE ... WHERE id IN (SELECT id ... LIMIT 10000)); if every row is meant,"
                + " say so through review: a contract exception for this migration and rule."
            : "Add a WHERE clause that names exactly the rows to change; backfill large tables in"
                + " batches (UPDATE ... WHERE id BETWEEN x AND y); if every row is meant, say so"
                + " through review: a contract exception for this migration and rule.");
  }

  /**
   * An {@code UPDATE} or {@code DELETE} of every row of a table that holds rows on the target (rows
   * unknown included: fail closed): in one statement it locks each row until the migration's
   * transaction commits (every concurrent write to the table waits) and leaves as many dead row
   * versions. The copy holds no rows, so the count is the target's estimate.
   */
  private static Finding everyRow(
      StatementTrace t,
      String table,
      String targetName,
      StatementProbe.Size size,
      TracePolicy policy) {
    if (size.rows() == 0 || !t.everyRow().contains(table)) {
      return null;
    }
    String where =
        table
            + " ("
            + (targetName.equals(table) ? "" : targetName + " on the target: ")
            + describe(size)
            + ")";
    String verb =
        t.sql().strip().toUpperCase(Locale.ROOT).matches("(?s).*\\bDELETE\\b.*")
            ? "deletes"
            : "updates";
    String message =
        t.migration()
            + " line "
            + t.line()
            + " "
            + verb
            + " every row of "
            + where
            + " in one statement ("
            + (t.whereHoldsOn(table) != null ? "its WHERE holds for every row" : "no WHERE")
            + "): it holds a row lock on each of them "
            + (t.inTransaction()
                ? "until the migration's transaction commits"
                : "until the statement ends")
            + ", so every concurrent write to those rows waits, and it leaves as many dead row"
            + " versions behind (bloat until vacuum)";
    return judged(
        EVERY_ROW,
        t,
        targetName,
        null,
        size,
        policy,
        message,
        "write it in batches by key ranges (WHERE id >= ? AND id < ?, a few thousand rows each),"
            + " each batch in a transaction of its own, outside the schema migration (a"
            + " migration with executeInTransaction=false, or a backfill job), so each row lock"
            + " is held only for its batch");
  }

  /**
   * A statement that wrote a table with row triggers, which holds rows on the target: on the empty
   * copy the triggers fired for none of them, so what they do there (locks, rewrites, other tables,
   * other servers) was not traced.
   */
  private static Finding triggers(
      StatementTrace t,
      String table,
      String targetName,
      StatementProbe.Size size,
      TracePolicy policy) {
    if (size.rows() == 0) {
      return null;
    }
    StatementTrace.RowTriggers fired =
        t.rowTriggers().stream().filter(r -> r.table().equals(table)).findFirst().orElse(null);
    if (fired == null) {
      return null;
    }
    String where =
        table
            + " ("
            + (targetName.equals(table) ? "" : targetName + " on the target: ")
            + describe(size)
            + ")";
    String message =
        t.migration()
            + " line "
            + t.line()
            + " writes "
            + where
            + ", whose row "
            + (fired.triggers().size() == 1 ? "trigger " : "triggers ")
            + String.join(", ", fired.triggers())
            + " fired for none of its rows on the empty copy: what "
            + (fired.triggers().size() == 1 ? "it does" : "they do")
            + " on the target (locks, rewrites, other tables) was not traced";
    return judged(
        TRIGGERS,
        t,
        targetName,
        null,
        size,
        policy,
        message,
        "review what the triggers do for the rows the statement writes; trace that work as"
            + " statements of its own (a migration that does it by hand with the triggers"
            + " disabled), or cover this finding with a reviewed contract exception");
  }

  private static String stronger(String a, String b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return LockModes.strength(a) >= LockModes.strength(b) ? a : b;
  }

  /** {@code V12} of {@code V12__orders.sql}; the file name when it has no such prefix. */
  static String id(String fileName) {
    int sep = fileName.indexOf("__");
    return sep > 0 ? fileName.substring(0, sep) : fileName;
  }

  private static String rewriteRecipe(String sql) {
    String u = sql.toUpperCase(Locale.ROOT);
    if (u.matches("(?s).*\\bSET\\s+TABLESPACE\\b.*")) {
      return "moving a relation between tablespaces copies all of it under ACCESS EXCLUSIVE: do it"
          + " in a maintenance window, or with a tool that copies online, apart from the"
          + " migrations";
    }
    if (u.contains(" TYPE ")) {
      return "add a column of the new type, backfill it in batches, switch the application to it,"
          + " then drop the old column";
    }
    if (u.contains("DEFAULT")) {
      return "add the column without the volatile default (a constant default needs no rewrite on"
          + " PostgreSQL 11+), then fill it in batches and set the default";
    }
    return "split the change into steps that do not rewrite the table (a new column or table,"
        + " a batched backfill, a switch)";
  }

  static String describe(StatementProbe.Size s) {
    return (s.rows() < 0 ? "rows unknown" : rows(s.rows()) + " rows") + ", " + bytes(s.bytes());
  }

  static String rows(long n) {
    if (n >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1f M", n / 1_000_000.0);
    }
    if (n >= 10_000) {
      return String.format(Locale.ROOT, "%.1f k", n / 1_000.0);
    }
    return Long.toString(n);
  }

  static String bytes(long n) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    double v = n;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  private static String excerpt(String sql) {
    String one = sql.strip().replaceAll("\\s+", " ");
    return one.length() > 200 ? one.substring(0, 197) + "..." : one;
  }
}
