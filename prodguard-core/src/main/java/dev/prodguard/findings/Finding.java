package dev.prodguard.findings;

import java.util.Comparator;

/**
 * One finding of lint or scan.
 *
 * @param rule the id of the rule that made it
 * @param severity the effective severity (for lint: the contract and environment applied)
 * @param location the file, line and column
 * @param migration the migration id the file holds ({@code V42}), or null
 * @param message what was found (scan: also why it matters and what to do instead)
 * @param excerpt the statement or source line, shortened (scan: redacted); empty when none
 * @param recipe the safer way, where the report shows it apart from the message; null when the
 *     message already says it
 * @param guarantee the guarantee the rule serves ({@code G4}, {@code G5})
 * @param coveredBy the reviewed contract entry that covers it, or null
 */
public record Finding(
    String rule,
    Severity severity,
    Location location,
    String migration,
    String message,
    String excerpt,
    String recipe,
    String guarantee,
    Cover coveredBy) {

  /** Report order of scan: by file, line, column, then rule. */
  public static final Comparator<Finding> ORDER =
      Comparator.comparing(Finding::file)
          .thenComparingInt(Finding::line)
          .thenComparingInt(Finding::column)
          .thenComparing(Finding::rule);

  public Finding {
    excerpt = excerpt == null ? "" : excerpt;
  }

  /** A finding of {@code rule}, at its default severity and guarantee. */
  public static Finding of(RuleInfo rule, Location location, String message, String excerpt) {
    return new Finding(
        rule.id(),
        rule.defaultSeverity(),
        location,
        null,
        message,
        excerpt,
        null,
        rule.guarantee(),
        null);
  }

  public String file() {
    return location.file();
  }

  public int line() {
    return location.line();
  }

  public int column() {
    return location.column();
  }

  /** {@code file:line:column}. */
  public String position() {
    return location.position();
  }

  public boolean covered() {
    return coveredBy != null;
  }

  /** An uncovered error: what fails lint, verify and scan. */
  public boolean blocking() {
    return severity == Severity.ERROR && coveredBy == null;
  }

  public Finding withCover(Cover cover) {
    return new Finding(
        rule, severity, location, migration, message, excerpt, recipe, guarantee, cover);
  }

  /**
   * This finding with its file, and the file of the contract entry that covers it, relative to
   * {@code base} with {@code /} separators: how every report names files. A file outside {@code
   * base} keeps its name.
   */
  public Finding relativeTo(java.nio.file.Path base) {
    return relativeTo(file -> relative(base, file));
  }

  /**
   * As {@link #relativeTo(java.nio.file.Path)}, with {@code relative} naming each file (a report of
   * thousands of findings in a few files names each file once: {@link #relative} behind a cache).
   */
  public Finding relativeTo(java.util.function.UnaryOperator<String> relative) {
    Finding r = withLocation(location().inFile(relative.apply(file())));
    if (covered() && coveredBy().entry() != null) {
      Location entry = coveredBy().entry();
      r = r.withCover(new Cover(coveredBy().reason(), entry.inFile(relative.apply(entry.file()))));
    }
    return r;
  }

  /** {@code file} relative to {@code base}, {@code /}-separated; outside {@code base} as given. */
  public static String relative(java.nio.file.Path base, String file) {
    java.nio.file.Path p = java.nio.file.Path.of(file).toAbsolutePath().normalize();
    java.nio.file.Path b = base.toAbsolutePath().normalize();
    return (p.startsWith(b) ? b.relativize(p).toString() : file).replace('\\', '/');
  }

  /** The same finding with {@code f} applied to its message and excerpt (e.g. masking values). */
  public Finding mapText(java.util.function.UnaryOperator<String> f) {
    return new Finding(
        rule,
        severity,
        location,
        migration,
        f.apply(message),
        f.apply(excerpt),
        recipe,
        guarantee,
        coveredBy);
  }

  public Finding withLocation(Location where) {
    return new Finding(
        rule, severity, where, migration, message, excerpt, recipe, guarantee, coveredBy);
  }
}
