package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/** Dropping a column destroys its data and breaks code that still selects or writes it. */
public final class DropColumnRule extends BaseRule {
  public DropColumnRule() {
    super(
        "drop-column",
        Severity.WARNING,
        "Dropping a column destroys its data and breaks code that still selects or writes it.",
        "Expand/contract: release code that no longer uses the column, then drop it in a later migration covered by a contract exception (V<n>, rule drop-column, reason).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.DROP_COLUMN
        ? "DROP COLUMN " + op.target() + "." + op.column()
        : null;
  }
}
