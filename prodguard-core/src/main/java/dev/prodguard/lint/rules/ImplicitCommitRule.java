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
