package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.SqlSyntax;

/** ALTER COLUMN ... SET NOT NULL scans the whole table while holding an ACCESS EXCLUSIVE lock. */
public final class SetNotNullRule extends BaseRule {
  public SetNotNullRule() {
    super(
        "set-not-null",
        Severity.WARNING,
        "ALTER COLUMN ... SET NOT NULL scans the whole table while holding an ACCESS EXCLUSIVE lock.",
        "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later migration, then SET NOT NULL (PostgreSQL 12+ uses the valid check and skips the scan) and drop the check.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return context.syntax() == SqlSyntax.POSTGRESQL
            && op.kind() == OpKind.SET_NOT_NULL
            && !context.newHere(op.target())
        ? "SET NOT NULL on "
            + op.target()
            + "."
            + op.column()
            + " scans the whole table under an exclusive lock"
        : null;
  }
}
