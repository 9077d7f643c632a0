package dev.prodguard.trace;

import dev.prodguard.contract.Contract;
import dev.prodguard.findings.Severity;
import dev.prodguard.support.StatementProbe;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How serious a traced fact is. By default every fact on a table that holds rows is a warning and a
 * brief lock on one is informational. The contract makes facts errors (docs/contract.md, {@code
 * trace:}): a rewrite of a table larger than {@code maxRewriteBytes}; ACCESS EXCLUSIVE on a table
 * of {@code protected-tables} ({@code accessExclusiveOnProtected}) or on a table larger than {@code
 * maxAccessExclusiveBytes}; and, on a protected environment, any finding of a trace rule the
 * contract lists under {@code forbidden}. A reviewed {@code exceptions} entry covers such an error
 * as it covers lint's.
 *
 * @param maxRewriteBytes a rewrite above this size is an error (default 1 GiB)
 * @param maxAccessExclusiveBytes ACCESS EXCLUSIVE on a table above this size is an error; empty: no
 *     limit
 * @param accessExclusiveOnProtected ACCESS EXCLUSIVE on a protected table is an error
 * @param protectedTables the contract's protected tables, lower case, unqualified
 * @param forbidden trace rule ids the contract forbids, and lint's {@code delete-without-where} /
 *     {@code update-without-where} that trace also reports ({@link TraceFindings#WHERE_RULES});
 *     empty unless the environment is protected
 * @param ancestors for a table of the target ({@code schema.name}), the tables it is a partition or
 *     an inheritance child of, read from the target's catalog: a partition (or child) of a
 *     protected table is protected too
 * @param writableColumns for each protected table (lower case, unqualified), the columns the
 *     contract lets an UPDATE set
 */
public record TracePolicy(
    long maxRewriteBytes,
    OptionalLong maxAccessExclusiveBytes,
    boolean accessExclusiveOnProtected,
    Set<String> protectedTables,
    Set<String> forbidden,
    Map<String, List<String>> ancestors,
    Map<String, Set<String>> writableColumns) {
  public static final long DEFAULT_MAX_REWRITE_BYTES =
      Contract.TraceLimits.DEFAULT_MAX_REWRITE_BYTES;

  public TracePolicy {
    protectedTables = Set.copyOf(protectedTables);
    forbidden = Set.copyOf(forbidden);
    ancestors = Map.copyOf(ancestors);
    writableColumns = Map.copyOf(writableColumns);
  }

  public TracePolicy(
      long maxRewriteBytes,
      OptionalLong maxAccessExclusiveBytes,
      boolean accessExclusiveOnProtected,
      Set<String> protectedTables,
      Set<String> forbidden) {
    this(
        maxRewriteBytes,
        maxAccessExclusiveBytes,
        accessExclusiveOnProtected,
        protectedTables,
        forbidden,
        Map.of(),
        Map.of());
  }

  /** This policy, knowing which tables of the target are partitions or children of which. */
  public TracePolicy withAncestors(Map<String, List<String>> tree) {
    return new TracePolicy(
        maxRewriteBytes,
        maxAccessExclusiveBytes,
        accessExclusiveOnProtected,
        protectedTables,
        forbidden,
        tree,
        writableColumns);
  }

  /**
   * The columns the contract lets an UPDATE of protected table {@code table} set; empty if none.
   */
  Set<String> writable(String table) {
    return writableColumns.getOrDefault(unqualified(table), Set.of());
  }

  /**
   * The protected table {@code table} (the target's name) is, or is a partition or inheritance
   * child of (the nearest); empty when it is neither.
   */
  Optional<String> protectedAs(String table) {
    if (protectedTables.contains(unqualified(table))) {
      return Optional.of(table);
    }
    for (String up : ancestors.getOrDefault(table, List.of())) {
      if (protectedTables.contains(unqualified(up))) {
        return Optional.of(up);
      }
    }
    return Optional.empty();
  }

  public static TracePolicy defaults() {
    return new TracePolicy(
        DEFAULT_MAX_REWRITE_BYTES, OptionalLong.empty(), true, Set.of(), Set.of());
  }

  /** The policy a contract sets for an environment ({@code protectedEnvironment}: forbidden). */
  public static TracePolicy of(Contract c, boolean protectedEnvironment) {
    Set<String> tables = new LinkedHashSet<>();
    c.protectedTables().keySet().forEach(t -> tables.add(t.toLowerCase(Locale.ROOT)));
    Set<String> forbidden = new LinkedHashSet<>();
    if (protectedEnvironment) {
      c.forbidden().stream()
          .filter(r -> TraceFindings.RULES.contains(r) || TraceFindings.WHERE_RULES.contains(r))
          .forEach(forbidden::add);
    }
    Map<String, Set<String>> writable = new java.util.HashMap<>();
    c.protectedTables()
        .forEach(
            (t, p) -> {
              Set<String> cols = new LinkedHashSet<>();
              p.writableColumns().forEach(col -> cols.add(col.toLowerCase(Locale.ROOT)));
              writable.put(unqualified(t), cols);
            });
    Contract.TraceLimits l = c.trace();
    return new TracePolicy(
        l.maxRewriteBytes(),
        l.maxAccessExclusiveBytes(),
        l.accessExclusiveOnProtected(),
        tables,
        forbidden,
        Map.of(),
        writable);
  }

  /**
   * Whether the contract sets trace limits of its own or forbids trace rules: untraced work (row
   * triggers that did not fire on the copy) cannot be judged against them, so it is an error.
   */
  boolean limited() {
    return maxRewriteBytes != DEFAULT_MAX_REWRITE_BYTES
        || maxAccessExclusiveBytes.isPresent()
        || forbidden.stream().anyMatch(TraceFindings.RULES::contains);
  }

  Severity severity(String rule, String table, String lock, StatementProbe.Size size) {
    if (TraceFindings.REWRITE.equals(rule) && size.bytes() > maxRewriteBytes) {
      return Severity.ERROR;
    }
    if (TraceFindings.TRIGGERS.equals(rule) && size.rows() != 0 && limited()) {
      return Severity.ERROR;
    }
    if ("ACCESS EXCLUSIVE".equals(lock)) {
      if (accessExclusiveOnProtected && protectedAs(table).isPresent()) {
        return Severity.ERROR;
      }
      if (maxAccessExclusiveBytes.isPresent()
          && size.bytes() > maxAccessExclusiveBytes.getAsLong()) {
        return Severity.ERROR;
      }
    }
    if (forbidden.contains(rule) && size.rows() != 0) {
      return Severity.ERROR;
    }
    if (TraceFindings.LOCK.equals(rule) || size.rows() == 0) {
      return Severity.INFO;
    }
    return Severity.WARNING;
  }

  /** Why {@link #severity} made it an error, for the message; empty when it did not. */
  String why(String rule, String table, String lock, StatementProbe.Size size) {
    if (TraceFindings.REWRITE.equals(rule) && size.bytes() > maxRewriteBytes) {
      return "the contract's trace.max-rewrite-size is " + TraceFindings.bytes(maxRewriteBytes);
    }
    if (TraceFindings.TRIGGERS.equals(rule) && size.rows() != 0 && limited()) {
      return "the contract sets trace limits or forbids trace rules, and the triggers' work"
          + " cannot be judged against them";
    }
    if ("ACCESS EXCLUSIVE".equals(lock)) {
      Optional<String> as = accessExclusiveOnProtected ? protectedAs(table) : Optional.empty();
      if (as.isPresent()) {
        return as.get().equals(table)
            ? "the table is in the contract's protected-tables"
            : "the table is a partition (or inheritance child) of "
                + as.get()
                + ", which is in the contract's protected-tables";
      }
      if (maxAccessExclusiveBytes.isPresent()
          && size.bytes() > maxAccessExclusiveBytes.getAsLong()) {
        return "the contract's trace.max-access-exclusive-size is "
            + TraceFindings.bytes(maxAccessExclusiveBytes.getAsLong());
      }
    }
    if (forbidden.contains(rule) && size.rows() != 0) {
      return "the contract forbids " + rule;
    }
    return "";
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
