package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;
import dev.prodguard.sql.SqlSyntax;

/**
 * CREATE INDEX without CONCURRENTLY blocks all writes to the table for as long as the build takes.
 */
public final class CreateIndexNotConcurrentlyRule extends BaseRule {
  public CreateIndexNotConcurrentlyRule() {
    super(
        "create-index-not-concurrently",
        Severity.WARNING,
        "CREATE INDEX without CONCURRENTLY blocks all writes to the table for as long as the build takes.",
        "Use CREATE INDEX CONCURRENTLY in a migration of its own (Flyway: executeInTransaction=false, via a V<n>__x.sql.conf file or script config).");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return context.syntax() == SqlSyntax.POSTGRESQL
            && op.kind() == OpKind.CREATE_INDEX
            && !op.has(Flag.CONCURRENTLY)
            && !context.newHere(op.target())
        ? "CREATE INDEX on " + op.target() + " without CONCURRENTLY"
        : null;
  }
}
