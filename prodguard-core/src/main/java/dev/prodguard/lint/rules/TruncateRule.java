package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

/**
 * TRUNCATE removes every row at once, cannot be limited with WHERE, and CASCADE empties referencing
 * tables too.
 */
public final class TruncateRule extends BaseRule {
  public TruncateRule() {
    super(
        "truncate",
        Severity.WARNING,
        "TRUNCATE removes every row at once, cannot be limited with WHERE, and CASCADE empties referencing tables too.",
        "Delete the rows you mean with DELETE ... WHERE in batches; if the table really must be emptied, back it up and cover the migration with a contract exception.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.TRUNCATE
        ? "TRUNCATE "
            + op.target()
            + (op.has(Flag.CASCADE) ? " CASCADE (also empties every table referencing it)" : "")
        : null;
  }
}
