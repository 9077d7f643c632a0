package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;
import dev.prodguard.sql.SqlSyntax;

/**
 * DROP INDEX without CONCURRENTLY takes an exclusive lock on the table and queues every query
 * behind it.
 */
public final class DropIndexNotConcurrentlyRule extends BaseRule {
  public DropIndexNotConcurrentlyRule() {
    super(
        "drop-index-not-concurrently",
        Severity.WARNING,
        "DROP INDEX without CONCURRENTLY takes an exclusive lock on the table and queues every query behind it.",
        "Use DROP INDEX CONCURRENTLY in a migration of its own (executeInTransaction=false).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return context.syntax() == SqlSyntax.POSTGRESQL
            && op.kind() == OpKind.DROP_INDEX
            && !op.has(Flag.CONCURRENTLY)
        ? "DROP INDEX " + (op.detail() != null ? op.detail() : "") + " without CONCURRENTLY"
        : null;
  }
}
