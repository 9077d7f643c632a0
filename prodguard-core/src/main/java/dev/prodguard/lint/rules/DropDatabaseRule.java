package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/** Dropping a database destroys every table and row in it at once. */
public final class DropDatabaseRule extends BaseRule {
  public DropDatabaseRule() {
    super(
        "drop-database",
        Severity.WARNING,
        "Dropping a database destroys every table and row in it at once.",
        "Never drop a database from a migration; decommission databases by hand with a verified backup and a reviewed runbook.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.DROP_DATABASE ? "DROP DATABASE" + on(op.target()) : null;
  }
}
