package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;
import dev.prodguard.sql.SqlSyntax;

/**
 * PostgreSQL ALTER TABLE ... ADD UNIQUE, PRIMARY KEY or EXCLUDE without USING INDEX builds the
 * index inside the ALTER, under an ACCESS EXCLUSIVE lock (no reads, no writes) for the whole build,
 * and fails at deploy if existing rows hold duplicates.
 */
public final class UniqueConstraintWithoutIndexRule extends BaseRule {
  public UniqueConstraintWithoutIndexRule() {
    super(
        "unique-constraint-without-index",
        Severity.WARNING,
        "Adding a UNIQUE, PRIMARY KEY or EXCLUDE constraint builds its index while the table is locked against reads and writes, and fails on existing duplicates.",
        "Build the index first with CREATE UNIQUE INDEX CONCURRENTLY in a migration of its own, then ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX (or PRIMARY KEY USING INDEX) in the next.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    boolean indexed =
        op.has(Flag.UNIQUE_OR_PRIMARY) || (op.detail() != null && op.detail().equals("EXCLUDE"));
    return context.syntax() == SqlSyntax.POSTGRESQL
            && op.kind() == OpKind.ADD_CONSTRAINT
            && indexed
            && !op.has(Flag.USING_INDEX)
            && !context.newHere(op.target())
        ? "adds "
            + op.detail()
            + " constraint on "
            + op.target()
            + " by building its index under an exclusive lock"
        : null;
  }
}
