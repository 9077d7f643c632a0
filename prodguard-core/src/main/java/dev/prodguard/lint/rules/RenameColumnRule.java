package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/**
 * Renaming a column breaks every running instance of the application that still uses the old name.
 */
public final class RenameColumnRule extends BaseRule {
  public RenameColumnRule() {
    super(
        "rename-column",
        Severity.WARNING,
        "Renaming a column breaks every running instance of the application that still uses the old name.",
        "Add the new column, write both, backfill, switch reads, then drop the old column (expand/contract).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.RENAME_COLUMN
        ? "renames column "
            + op.target()
            + "."
            + op.column()
            + (op.detail() != null ? " " + op.detail() : "")
        : null;
  }
}
