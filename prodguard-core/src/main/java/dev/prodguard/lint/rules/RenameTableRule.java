package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/**
 * Renaming a table breaks every running instance of the application that still uses the old name.
 */
public final class RenameTableRule extends BaseRule {
  public RenameTableRule() {
    super(
        "rename-table",
        Severity.WARNING,
        "Renaming a table breaks every running instance of the application that still uses the old name.",
        "Create the new table (or a view with the new name), migrate code to it, and drop the old name later (expand/contract).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.RENAME_TABLE
        ? "renames table " + op.target() + (op.detail() != null ? " " + op.detail() : "")
        : null;
  }
}
