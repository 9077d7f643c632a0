package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

/**
 * An UPDATE without WHERE (or with WHERE true) rewrites every row of the table and locks them all.
 */
public final class UpdateWithoutWhereRule extends BaseRule {
  public UpdateWithoutWhereRule() {
    super(
        "update-without-where",
        Severity.WARNING,
        "An UPDATE without WHERE (or with WHERE true) rewrites every row of the table and locks them all.",
        "Add a WHERE clause that names exactly the rows to change; backfill large tables in batches (UPDATE ... WHERE id BETWEEN x AND y).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.UPDATE && !op.has(Flag.HAS_WHERE)
        ? "UPDATE "
            + op.target()
            + " without a WHERE condition that limits its rows"
            + (op.detail() != null ? ": " + op.detail() : "")
        : null;
  }
}
