package dev.prodguard.trace;

import dev.prodguard.findings.Severity;
import dev.prodguard.support.StatementProbe;
import java.util.Locale;
import java.util.Set;

/**
 * How serious a traced fact is. By default every fact on a table that holds rows is a warning and a
 * brief lock on one is informational; two facts are errors, because they are what takes an
 * application down: a rewrite of a table larger than {@code maxRewriteBytes}, and ACCESS EXCLUSIVE
 * on a protected table of the contract ({@code protected-tables}).
 *
 * @param maxRewriteBytes a rewrite above this size is an error (default 1 GiB)
 * @param protectedTables the contract's protected tables, lower case, unqualified
 */
public record TracePolicy(long maxRewriteBytes, Set<String> protectedTables) {
  public static final long DEFAULT_MAX_REWRITE_BYTES = 1024L * 1024 * 1024;

  public TracePolicy {
    protectedTables = Set.copyOf(protectedTables);
  }

  public static TracePolicy defaults() {
    return new TracePolicy(DEFAULT_MAX_REWRITE_BYTES, Set.of());
  }

  Severity severity(String rule, String table, String lock, StatementProbe.Size size) {
    if (TraceFindings.REWRITE.equals(rule) && size.bytes() > maxRewriteBytes) {
      return Severity.ERROR;
    }
    if ("ACCESS EXCLUSIVE".equals(lock) && protectedTables.contains(unqualified(table))) {
      return Severity.ERROR;
    }
    if (TraceFindings.LOCK.equals(rule) || size.rows() == 0) {
      return Severity.INFO;
    }
    return Severity.WARNING;
  }

  private static String unqualified(String table) {
    int dot = table.lastIndexOf('.');
    String t = dot < 0 ? table : table.substring(dot + 1);
    if (t.startsWith("\"") && t.endsWith("\"")) {
      t = t.substring(1, t.length() - 1).replace("\"\"", "\"");
    }
    return t.toLowerCase(Locale.ROOT);
  }
}
