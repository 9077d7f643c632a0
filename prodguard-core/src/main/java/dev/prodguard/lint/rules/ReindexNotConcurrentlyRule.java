package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;
import dev.prodguard.sql.SqlSyntax;

/**
 * PostgreSQL REINDEX without CONCURRENTLY locks out writes to the table (and, for the index being
 * rebuilt, the reads that would use it) until every index is rebuilt.
 */
public final class ReindexNotConcurrentlyRule extends BaseRule {
  public ReindexNotConcurrentlyRule() {
    super(
        "reindex-not-concurrently",
        Severity.WARNING,
        "REINDEX without CONCURRENTLY blocks writes to the table until its indexes are rebuilt.",
        "Use REINDEX ... CONCURRENTLY (PostgreSQL 12+) in a migration of its own that runs outside a transaction (Flyway: executeInTransaction=false).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return context.syntax() == SqlSyntax.POSTGRESQL
            && op.kind() == OpKind.MAINTENANCE
            && op.detail() != null
            && op.detail().startsWith("REINDEX")
            && !op.has(Flag.CONCURRENTLY)
            && !context.newHere(op.target())
        ? op.detail() + on(op.target()) + " without CONCURRENTLY"
        : null;
  }
}
