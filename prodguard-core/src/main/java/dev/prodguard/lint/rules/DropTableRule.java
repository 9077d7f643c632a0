package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/** Dropping a table destroys its rows; code still deployed may still read or write it. */
public final class DropTableRule extends BaseRule {
  public DropTableRule() {
    super(
        "drop-table",
        Severity.WARNING,
        "Dropping a table destroys its rows; code still deployed may still read or write it.",
        "Expand/contract: stop reading and writing the table in a release, rename it (or revoke access) for a grace period, back it up, then drop it in a migration covered by a contract exception.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.DROP_TABLE
        ? (op.detail() != null ? op.detail() + on(op.target()) : "DROP TABLE" + on(op.target()))
        : null;
  }
}
