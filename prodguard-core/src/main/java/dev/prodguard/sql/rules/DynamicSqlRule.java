package dev.prodguard.sql.rules;

import dev.prodguard.lint.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;

/**
 * SQL built or executed at run time (EXECUTE, PREPARE, non-SQL routine languages) cannot be
 * analysed, so it is not trusted.
 */
public final class DynamicSqlRule extends BaseRule {
  public DynamicSqlRule() {
    super(
        "dynamic-sql",
        Severity.WARNING,
        "SQL built or executed at run time (EXECUTE, PREPARE, non-SQL routine languages) cannot be analysed, so it is not trusted.",
        "Write the statements out literally in the migration; if dynamic SQL is truly needed, cover the migration with a reviewed contract exception.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.kind() == OpKind.DYNAMIC_SQL
        ? "dynamic SQL: " + (op.detail() != null ? op.detail() : "statement text built at run time")
        : null;
  }
}
