package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

/**
 * Adding a NOT NULL column without a default fails on a table that has rows, and breaks inserts
 * from code that does not know the column yet.
 */
public final class AddNotNullColumnWithoutDefaultRule extends BaseRule {
  public AddNotNullColumnWithoutDefaultRule() {
    super(
        "add-not-null-column-without-default",
        Severity.WARNING,
        "Adding a NOT NULL column without a default fails on a table that has rows, and breaks inserts from code that does not know the column yet.",
        "Add the column as nullable (or with a DEFAULT), backfill it in batches, then add the NOT NULL constraint safely.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.ADD_COLUMN
            && op.has(Flag.NOT_NULL)
            && !op.has(Flag.HAS_DEFAULT)
            && !context.newHere(op.target())
        ? "adds NOT NULL column " + op.target() + "." + op.column() + " without a default"
        : null;
  }
}
