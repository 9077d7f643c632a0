package dev.prodguard.findings;

import java.util.List;

/**
 * Findings as text: {@code file:line:column: severity [rule] message}, the excerpt below it, then
 * the contract entry that covers it or the fix. The command adds its summary.
 */
public final class TextWriter {
  private TextWriter() {}

  public static String findings(List<Finding> findings) {
    StringBuilder b = new StringBuilder();
    findings.forEach(f -> finding(b, f));
    return b.toString();
  }

  public static void finding(StringBuilder b, Finding f) {
    b.append(f.position())
        .append(": ")
        .append(f.covered() ? "covered " : "")
        .append(f.severity().id())
        .append(" [")
        .append(f.rule())
        .append("] ")
        .append(f.message())
        .append('\n');
    if (!f.excerpt().isEmpty()) {
      b.append("    ").append(f.excerpt()).append('\n');
    }
    if (f.covered()) {
      b.append("    covered by a contract exception: ").append(f.coveredBy().reason()).append('\n');
    } else if (f.recipe() != null) {
      b.append("    fix: ").append(f.recipe()).append('\n');
    }
  }

  /**
   * The fix of the failing (uncovered error) findings, from their rules, for a one-screen failure
   * summary: {@code the one fix [rule]: ...} when they share one, else one line per distinct fix.
   * Empty when none fails.
   */
  public static String fixes(List<Finding> findings) {
    java.util.Map<String, java.util.Set<String>> byFix = new java.util.LinkedHashMap<>();
    for (Finding f : findings) {
      if (!f.covered() && f.severity() == Severity.ERROR && f.recipe() != null) {
        byFix.computeIfAbsent(f.recipe(), k -> new java.util.TreeSet<>()).add(f.rule());
      }
    }
    StringBuilder b = new StringBuilder();
    for (java.util.Map.Entry<String, java.util.Set<String>> e : byFix.entrySet()) {
      b.append(byFix.size() == 1 ? "the one fix [" : "fix for [")
          .append(String.join(", ", e.getValue()))
          .append("]: ")
          .append(e.getKey())
          .append('\n');
    }
    return b.toString();
  }

  /** {@code 1 error}, {@code 2 errors}. */
  public static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
