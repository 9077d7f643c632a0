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

  /** Every rule id trace reports, in documentation order. */
  static final List<String> RULES =
      List.of(REWRITE, SCAN, VALIDATION, INDEX, LOCK, FAILED, INCOMPLETE);

  private TraceFindings() {}

  static List<Finding> of(
      List<StatementTrace> traces, Map<String, StatementProbe.Size> sizes, TracePolicy policy) {
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
      }
    }
    return out;
  }

  private static Finding finding(
      StatementTrace t,
      String table,
      String targetName,
      StatementProbe.Size size,
      TracePolicy policy) {
    String mode = t.lockOn(table);
    String lock = mode == null ? null : LockModes.sqlName(mode);
    String blocks = mode == null ? null : LockModes.blocks(mode);
    String where =
        table
            + " ("
            + (targetName.equals(table) ? "" : targetName + " on the target: ")
            + describe(size)
            + ")";
    String head = t.migration() + " line " + t.line() + " ";
    String lockText = lock == null ? "" : "takes " + lock + " on " + where + " and ";
    String blockText = blocks == null ? "" : "; blocks " + blocks + " for ";
    String rule;
    String message;
    String recipe;
    boolean rewrite = t.rewritten().contains(table);
    StatementTrace.IndexBuilt index =
        t.indexesBuilt().stream()
            .filter(i -> i.table().equals(table) && !i.concurrently())
            .findFirst()
            .orElse(null);
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
    } else if (index != null) {
      rule = INDEX;
      String builds = index.rebuilt() ? "rebuilds index " : "builds index ";
      message =
          head
              + (lock == null
                  ? builds + index.name() + " on " + where
                  : lockText + builds + index.name())
              + (blocks == null ? "" : blockText + "the build");
      recipe =
          index.rebuilt()
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
    } else if (blocks != null) {
      rule = LOCK;
      message =
          head
              + "takes "
              + lock
              + " on "
              + where
              + "; blocks "
              + blocks
              + " for the statement, and while it waits for the lock every later query on the"
              + " table waits behind it";
      recipe =
          "SET lock_timeout (e.g. '5s') before it, so a long transaction ahead of it makes the"
              + " deploy fail fast instead of queueing the application behind its lock";
    } else {
      return null;
    }
    Severity severity = policy.severity(rule, targetName, lock, size);
    String why = policy.why(rule, targetName, lock, size);
    if (!why.isEmpty()) {
      message = message + " (an error: " + why + ")";
    }
    return new Finding(
        rule,
        severity,
        new Location(t.file(), t.line(), 1),
        id(t.migration()),
        message,
        excerpt(t.sql()),
        recipe,
        "G4",
        null);
  }

  /** {@code V12} of {@code V12__orders.sql}; the file name when it has no such prefix. */
  static String id(String fileName) {
    int sep = fileName.indexOf("__");
    return sep > 0 ? fileName.substring(0, sep) : fileName;
  }

  private static String rewriteRecipe(String sql) {
    String u = sql.toUpperCase(Locale.ROOT);
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
