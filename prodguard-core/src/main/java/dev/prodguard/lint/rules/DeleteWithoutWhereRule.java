package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

/** A DELETE without WHERE (or with WHERE true) removes every row of the table. */
public final class DeleteWithoutWhereRule extends BaseRule {
  public DeleteWithoutWhereRule() {
    super(
        "delete-without-where",
        Severity.WARNING,
        "A DELETE without WHERE (or with WHERE true) removes every row of the table.",
        "Add a WHERE clause that names exactly the rows to remove (and batch large deletes: DELETE ... WHERE id IN (SELECT id ... LIMIT 10000)).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.DELETE && !op.has(Flag.HAS_WHERE)
        ? "DELETE FROM "
            + op.target()
            + " without a WHERE condition that limits its rows"
            + (op.detail() != null ? ": " + op.detail() : "")
        : null;
  }
}
