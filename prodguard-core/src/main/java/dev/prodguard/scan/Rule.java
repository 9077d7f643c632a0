package dev.prodguard.scan;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.RuleInfo;
import dev.prodguard.findings.Severity;
import java.util.List;
import java.util.Optional;

/**
 * One check of {@code prodguard scan}. A rule looks at one file at a time ({@link #check}) or at
 * the repository as a whole ({@link #checkRepository}); it never reads the environment. Its id is
 * used in output and in the contract's {@code scan-exceptions}; {@link #summary()} says what it
 * finds, {@link #why()} why it matters and {@link #recipe()} what to do instead.
 */
public interface Rule extends RuleInfo {
  /** The guarantee scan serves. */
  String GUARANTEE = "G5";

  @Override
  default String guarantee() {
    return GUARANTEE;
  }

  /** Why it matters. */
  @Override
  String why();

  /** What it finds, in detail: its section of {@code scan/rules/details.md}. */
  @Override
  default String details() {
    return RuleDetails.of(id());
  }

  /** Whether {@link #check} wants this file; cheap (path and kind only). */
  default boolean appliesTo(ScanFile file, ScanContext context) {
    return false;
  }

  default void check(ScanFile file, ScanContext context, List<Finding> out) {}

  default void checkRepository(ScanContext context, List<Finding> out) {}

  /** The message of a finding: the specific problem, then why, then what to do instead. */
  default String message(String specific) {
    return specific + ". " + why() + " Instead: " + recipe();
  }

  default Finding finding(ScanFile file, int offset, String specific) {
    int line = file.line(offset);
    int column = file.column(offset);
    return finding(
        file.path(), line, column, Excerpts.of(file.lineText(line), column), message(specific));
  }

  default Finding finding(ScanFile file, int line, int column, String specific) {
    return finding(
        file.path(), line, column, Excerpts.of(file.lineText(line), column), message(specific));
  }

  /**
   * The finding at {@code offset}, lowered to a warning when {@code throwaway} says why the file
   * cannot reach a protected database (test code on its own throwaway database); an error
   * otherwise.
   */
  default Finding finding(
      ScanFile file, int line, int column, String specific, Optional<String> throwaway) {
    if (throwaway.isEmpty()) {
      return finding(file, line, column, specific);
    }
    Finding f =
        finding(
            file,
            line,
            column,
            specific
                + " in "
                + throwaway.get()
                + ": it cannot reach a protected database, so this is a warning");
    return new Finding(
        f.rule(),
        Severity.WARNING,
        f.location(),
        f.migration(),
        f.message(),
        f.excerpt(),
        f.recipe(),
        f.guarantee(),
        null);
  }

  /**
   * A finding at {@code path:line:column}; the message already says what to do instead, so the
   * finding carries no separate recipe.
   */
  default Finding finding(String path, int line, int column, String excerpt, String message) {
    return Finding.of(this, new Location(path, line, column), message, excerpt);
  }
}
