package dev.prodguard.scan;

import java.util.List;

/**
 * One check of {@code prodguard scan}. A rule looks at one file at a time ({@link #check}) or at
 * the repository as a whole ({@link #checkRepository}); it never reads the environment.
 */
public interface Rule {
  /** Stable id, used in output and in the contract's {@code scan-exceptions}. */
  String id();

  Severity severity();

  /** What it finds, one line (documentation and SARIF short description). */
  String summary();

  /** Why it matters. */
  String why();

  /** What to do instead. */
  String instead();

  /** Whether {@link #check} wants this file; cheap (path and kind only). */
  default boolean appliesTo(ScanFile file, ScanContext context) {
    return false;
  }

  default void check(ScanFile file, ScanContext context, List<Finding> out) {}

  default void checkRepository(ScanContext context, List<Finding> out) {}

  /** The message of a finding: the specific problem, then why, then what to do instead. */
  default String message(String specific) {
    return specific + ". " + why() + " Instead: " + instead();
  }

  default Finding finding(ScanFile file, int offset, String specific) {
    int line = file.line(offset);
    int column = file.column(offset);
    return new Finding(
        id(),
        severity(),
        file.path(),
        line,
        column,
        Excerpts.of(file.lineText(line), column),
        message(specific));
  }

  default Finding finding(ScanFile file, int line, int column, String specific) {
    return new Finding(
        id(),
        severity(),
        file.path(),
        line,
        column,
        Excerpts.of(file.lineText(line), column),
        message(specific));
  }
}
