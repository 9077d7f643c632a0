package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

/** Dropping a schema destroys every object in it; with CASCADE, silently. */
public final class DropSchemaRule extends BaseRule {
  public DropSchemaRule() {
    super(
        "drop-schema",
        Severity.WARNING,
        "Dropping a schema destroys every object in it; with CASCADE, silently.",
        "Stop using the schema first (expand/contract), back it up, and drop it in a separate, reviewed migration covered by a contract exception.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.DROP_SCHEMA
        ? (op.detail() != null
            ? op.detail()
            : "DROP SCHEMA"
                + on(op.target())
                + (op.has(Flag.CASCADE) ? " CASCADE (drops everything in it)" : ""))
        : null;
  }
}
