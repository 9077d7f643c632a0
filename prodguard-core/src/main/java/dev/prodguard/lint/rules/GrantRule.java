package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/**
 * Privilege and role changes in migrations widen who can read or change production data, outside
 * access review.
 */
public final class GrantRule extends BaseRule {
  public GrantRule() {
    super(
        "grant",
        Severity.WARNING,
        "Privilege and role changes in migrations widen who can read or change production data, outside access review.",
        "Manage roles and grants in the reviewed access-management process (infrastructure code), not in application migrations.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.GRANT
        ? (op.detail() != null
            ? op.detail()
            : "GRANT" + (op.target() == null ? "" : " on " + op.target()))
        : null;
  }
}
