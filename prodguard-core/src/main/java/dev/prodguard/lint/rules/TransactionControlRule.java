package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

/**
 * COMMIT, ROLLBACK, BEGIN, SAVEPOINT, SET autocommit, PREPARE TRANSACTION, XA, a DO block that
 * commits, or a CALL of a procedure that does (or whose body prodguard cannot see) splits the
 * transaction Flyway runs a migration in (G7): a later failure leaves the first part committed and
 * the version missing from the history. An error on every environment.
 */
public final class TransactionControlRule extends BaseRule {
  public TransactionControlRule() {
    super(
        "transaction-control",
        Severity.ERROR,
        "A transaction-control statement in a migration (COMMIT, ROLLBACK, BEGIN, SAVEPOINT,"
            + " SET autocommit, a procedure that commits) splits the transaction Flyway runs it"
            + " in: if a later statement fails, the part before stays committed and the version"
            + " is not in the history, so every retry fails.",
        "Remove it: Flyway already runs each migration in one transaction. Work that must be"
            + " committed first (e.g. ALTER TYPE ... ADD VALUE before the new value is used) goes"
            + " into a migration of its own.");
  }

  /**
   * MariaDB's implicit commit of DDL after row changes: the DDL cannot be removed, the migration
   * must be split (issue 15).
   */
  static final String SPLIT =
      "Put the row changes and the DDL in separate migrations: MariaDB commits each DDL"
          + " statement implicitly, together with the row changes before it, so they cannot share"
          + " one migration's transaction.";

  @Override
  public String recipe(Operation op) {
    return op.has(Flag.COMMITS_ROW_CHANGES) ? SPLIT : recipe();
  }

  @Override
  public String check(Operation op, RuleContext context) {
    if (op.has(Flag.DEFERRED)) {
      return null; // in a routine body: judged where the routine is called
    }
    if (op.kind() == OpKind.TRANSACTION && op.has(Flag.IMPLICIT_COMMIT)) {
      return null; // a partly applied migration: implicit-commit
    }
    if (op.kind() == OpKind.TRANSACTION) {
      String what =
          op.detail() == null || op.detail().isEmpty() ? "transaction control" : op.detail();
      return what
          + " inside a migration commits, discards or splits the transaction Flyway runs it in";
    }
    if (op.kind() == OpKind.CALL && op.has(Flag.OPAQUE)) {
      return "CALL "
          + op.target()
          + ": the procedure's body is not among the analysed migrations, and a procedure may"
          + " COMMIT or ROLLBACK";
    }
    return null;
  }
}
