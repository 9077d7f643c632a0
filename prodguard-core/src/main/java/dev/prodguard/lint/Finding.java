package dev.prodguard.lint;

/**
 * One finding of {@code prodguard lint}.
 *
 * @param severity the effective severity (the contract and environment applied)
 * @param file the migration file (or the contract, for an unused exception)
 * @param migration the Flyway migration id ({@code V42}), or null for non-migration files
 * @param excerpt the statement, whitespace collapsed and shortened
 * @param coveredBy the reason of the contract exception that covers it, or null: a covered finding
 *     is reported but does not fail
 */
public record Finding(
    String rule,
    Severity severity,
    String file,
    String migration,
    int line,
    int column,
    String message,
    String excerpt,
    String recipe,
    String coveredBy) {

  public boolean covered() {
    return coveredBy != null;
  }

  /** An uncovered error: what fails lint and verify. */
  public boolean blocking() {
    return severity == Severity.ERROR && coveredBy == null;
  }

  Finding withCover(String reason) {
    return new Finding(
        rule, severity, file, migration, line, column, message, excerpt, recipe, reason);
  }
}
