package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;
import dev.prodguard.sql.SqlSyntax;

/**
 * PostgreSQL ALTER TABLE ... DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock
 * on the partitioned table: every query on it waits, and queues behind it.
 */
public final class DetachPartitionNotConcurrentlyRule extends BaseRule {
  public DetachPartitionNotConcurrentlyRule() {
    super(
        "detach-partition-not-concurrently",
        Severity.WARNING,
        "DETACH PARTITION without CONCURRENTLY locks the whole partitioned table against reads and writes.",
        "Use ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) in a migration of its own that runs outside a transaction (Flyway: executeInTransaction=false).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return context.syntax() == SqlSyntax.POSTGRESQL
            && op.kind() == OpKind.ALTER_TABLE_OTHER
            && "DETACH PARTITION".equals(op.detail())
            && !op.has(Flag.CONCURRENTLY)
            && !context.newHere(op.target())
        ? "DETACH PARTITION from " + op.target() + " without CONCURRENTLY"
        : null;
  }
}
