package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

/**
 * MariaDB commits before and after every DDL statement, so a migration with several of them is not
 * one transaction: when a later statement fails, the earlier ones stay applied and the version is
 * missing from Flyway's history, and a retry fails on what is already there. (A DDL after a row
 * change is {@code transaction-control}: the rows stay committed.)
 */
public final class ImplicitCommitRule extends BaseRule {
  public ImplicitCommitRule() {
    super(
        "implicit-commit",
        Severity.WARNING,
        "MariaDB commits each DDL statement at once: a migration with several of them that fails"
            + " midway stays half applied, without its version in the history, and every retry"
            + " fails on what is already there.",
        "Put one DDL statement in each migration (or make each statement safe to run again, e.g."
            + " CREATE TABLE IF NOT EXISTS, ADD COLUMN IF NOT EXISTS).");
  }

  /** A statement that is already written to run again ({@code IF NOT EXISTS}, ...). */
  private static final java.util.regex.Pattern RERUNNABLE =
      java.util.regex.Pattern.compile(
          "^(?:CREATE (?:OR REPLACE |(?:UNIQUE |FULLTEXT |SPATIAL |TEMPORARY )+)?"
              + "(?:TABLE|INDEX|VIEW|SEQUENCE|DATABASE|SCHEMA|PROCEDURE|FUNCTION|TRIGGER|EVENT"
              + "|USER|ROLE) IF NOT EXISTS\\b"
              + "|CREATE OR REPLACE\\b"
              + "|DROP (?:TEMPORARY )?\\w+ IF EXISTS\\b)");

  /**
   * The one fix for this statement: one already written to run again ({@code CREATE TABLE IF NOT
   * EXISTS}) is told so, and the rest of its migration is what remains to make safe; a {@code
   * CREATE TABLE} or an {@code ALTER TABLE} gets its own form; DDL that a procedure or block runs
   * gets the rule's recipe.
   */
  @Override
  public String recipe(Operation op) {
    if (op.statement() == null || op.detail() == null || !op.detail().contains("this DDL")) {
      return recipe();
    }
    String head = head(op.statement().text());
    java.util.regex.Matcher m = RERUNNABLE.matcher(head);
    if (m.find()) {
      return "This statement already runs again safely ("
          + m.group().strip()
          + "): a retry after a failure passes it. Make every other DDL statement of the"
          + " migration safe to run again too (ADD COLUMN IF NOT EXISTS, CREATE INDEX IF NOT"
          + " EXISTS, DROP ... IF EXISTS), or put one DDL statement in each migration.";
    }
    if (head.startsWith("CREATE TABLE ")) {
      return "Write it CREATE TABLE IF NOT EXISTS, and every other DDL statement of the migration"
          + " safe to run again too, or put one DDL statement in each migration.";
    }
    if (head.startsWith("ALTER TABLE ")) {
      return "Write each clause of it safe to run again (ADD COLUMN IF NOT EXISTS, DROP COLUMN IF"
          + " EXISTS, ADD INDEX IF NOT EXISTS, MODIFY COLUMN IF EXISTS), and every other DDL"
          + " statement of the migration too, or put one DDL statement in each migration.";
    }
    return recipe();
  }

  /** The statement's first words, upper-case, whitespace collapsed. */
  private static String head(String text) {
    String t = text.length() > 300 ? text.substring(0, 300) : text;
    return t.strip().replaceAll("\\s+", " ").toUpperCase(java.util.Locale.ROOT);
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.TRANSACTION && op.has(Flag.IMPLICIT_COMMIT)
        ? (op.detail() != null && op.detail().contains("BEGIN NOT ATOMIC")
                ? "the DDL that the procedure or block this statement runs issues is"
                : "this DDL is")
            + " committed at once by MariaDB, with the statements before it in the migration: if"
            + " a later statement fails, the migration stays half applied"
        : null;
  }
}
