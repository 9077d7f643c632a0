package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/**
 * Changing a column's type usually rewrites the whole table under an exclusive lock and can break
 * code and lose precision. A change the classifier knows keeps every stored value (MariaDB: ENUM
 * values appended; PostgreSQL: a varchar widened or made text, a numeric's precision raised, ...,
 * judged against the column's known definition) is not an {@code ALTER_COLUMN_TYPE} operation.
 */
public final class AlterColumnTypeRule extends BaseRule {
  public AlterColumnTypeRule() {
    super(
        "alter-column-type",
        Severity.WARNING,
        "Changing a column's type usually rewrites the whole table under an exclusive lock and can break code and lose precision.",
        "Add a new column with the new type, backfill it in batches, switch the code, then drop the old column (expand/contract).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.ALTER_COLUMN_TYPE
        ? "changes the type of "
            + op.target()
            + "."
            + op.column()
            + (op.detail() != null ? " (" + op.detail() + ")" : "")
        : null;
  }
}
