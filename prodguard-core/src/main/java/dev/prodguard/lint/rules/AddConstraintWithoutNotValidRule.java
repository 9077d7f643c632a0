package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;
import dev.prodguard.sql.SqlSyntax;

/**
 * Adding a CHECK or FOREIGN KEY constraint validates every row while holding a lock that blocks
 * writes.
 */
public final class AddConstraintWithoutNotValidRule extends BaseRule {
  public AddConstraintWithoutNotValidRule() {
    super(
        "add-constraint-without-not-valid",
        Severity.WARNING,
        "Adding a CHECK or FOREIGN KEY constraint validates every row while holding a lock that blocks writes.",
        "Add the constraint with NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT in a later migration (it only takes a weak lock).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return context.syntax() == SqlSyntax.POSTGRESQL
            && op.kind() == OpKind.ADD_CONSTRAINT
            && (op.has(Flag.FOREIGN_KEY) || op.has(Flag.CHECK))
            && !op.has(Flag.NOT_VALID)
            && !context.newHere(op.target())
        ? "adds " + op.detail() + " constraint on " + op.target() + " without NOT VALID"
        : null;
  }
}
