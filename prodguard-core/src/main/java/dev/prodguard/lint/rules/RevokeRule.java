package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/**
 * Revoking privileges or dropping roles in a migration can lock the application or operators out of
 * production.
 */
public final class RevokeRule extends BaseRule {
  public RevokeRule() {
    super(
        "revoke",
        Severity.WARNING,
        "Revoking privileges or dropping roles in a migration can lock the application or operators out of production.",
        "Manage roles and grants in the reviewed access-management process (infrastructure code), not in application migrations.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.REVOKE
        ? (op.detail() != null
            ? op.detail()
            : "REVOKE" + (op.target() == null ? "" : " on " + op.target()))
        : null;
  }
}
