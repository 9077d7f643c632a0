package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

/**
 * SQL built or executed at run time (EXECUTE, PREPARE, non-SQL routine languages) cannot be
 * analysed, so it is not trusted; nor is a call of a user function or procedure whose body is not
 * among the analysed migrations.
 */
public final class DynamicSqlRule extends BaseRule {
  public DynamicSqlRule() {
    super(
        "dynamic-sql",
        Severity.WARNING,
        "SQL built or executed at run time (EXECUTE, PREPARE, non-SQL routine languages), or a"
            + " call of a routine whose body is not among the analysed migrations, cannot be"
            + " analysed, so it is not trusted.",
        "Write the statements out literally in the migration (or define the routine in a"
            + " migration, so its body is analysed); if that is truly impossible, cover the"
            + " migration with a reviewed contract exception.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    if (op.kind() == OpKind.DYNAMIC_SQL) {
      return "dynamic SQL: "
          + (op.detail() != null ? op.detail() : "statement text built at run time");
    }
    if (op.kind() == OpKind.FUNCTION_CALL
        && op.has(Flag.OPAQUE)
        && ("operator".equals(op.detail()) || "operator class".equals(op.detail()))) {
      return "uses "
          + op.detail()
          + " "
          + op.target()
          + ", which is neither built in nor created by the analysed migrations: the server runs"
          + " its functions, whose bodies prodguard cannot read (G4)";
    }
    if ((op.kind() == OpKind.FUNCTION_CALL || op.kind() == OpKind.CALL) && op.has(Flag.OPAQUE)) {
      return "calls "
          + op.target()
          + "(), whose body is not among the analysed migrations: what it changes is unknown";
    }
    return null;
  }
}
