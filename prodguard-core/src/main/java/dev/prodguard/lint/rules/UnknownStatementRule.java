package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/**
 * A statement that cannot be classified cannot be checked against the contract, so it is refused on
 * protected environments (fail closed).
 */
public final class UnknownStatementRule extends BaseRule {
  public UnknownStatementRule() {
    super(
        "unknown-statement",
        Severity.WARNING,
        "A statement that cannot be classified cannot be checked against the contract, so it is refused on protected environments (fail closed).",
        "Rewrite it in plain SQL that prodguard recognises, split it into simpler statements, or cover this migration with a reviewed contract exception.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.UNKNOWN
        ? "prodguard cannot tell what this statement does"
            + (op.detail() != null ? ": " + op.detail() : "")
        : null;
  }
}
