package dev.prodguard.lint.rules;

import dev.prodguard.contract.Contract;
import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import java.util.Optional;

/** The contract's protected tables may not be altered or written, except their writable columns. */
public final class ProtectedTableWriteRule extends BaseRule {
  public ProtectedTableWriteRule() {
    super(
        "protected-table-write",
        Severity.WARNING,
        "The contract lists this table as protected: no migration may alter or write it, except"
            + " UPDATEs of its writable columns.",
        "Leave the table alone, or change the contract in a reviewed commit (protected-tables /"
            + " writable-columns), or add a contract exception for this one migration with a"
            + " reason.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    Optional<String> dependent = context.cascades().dependent(op.kind(), op.detail(), op.target());
    if (dependent.isPresent()) {
      return op.kind().name().toLowerCase().replace('_', ' ') + " " + dependent.get();
    }
    if (op.kind() == OpKind.DROP_TRIGGER
        && op.target() == null
        && !context.contract().protectedTables().isEmpty()) {
      return "DROP TRIGGER "
          + (op.detail() != null ? op.detail() + " " : "")
          + "does not name its table and no migration of this set created it: it may be a"
          + " trigger of a protected table";
    }
    if (op.kind() == OpKind.CREATE_TABLE
        && op.has(Operation.Flag.TEMPORARY)
        && op.target() != null) {
      String bare = op.target().substring(op.target().lastIndexOf('.') + 1);
      Optional<Contract.ProtectedTable> shadowed = context.contract().protectedTable(bare);
      if (shadowed.isPresent()) {
        return "temporary table "
            + op.target()
            + " shadows protected table "
            + shadowed.get().name()
            + ": statements naming it write either table, depending on when the session drops"
            + " the temporary one (DISCARD, ON COMMIT DROP, DROP, a changed search_path)";
      }
    }
    // a table created earlier in the same migration holds no production data yet
    if (!op.kind().touchesTable() || op.target() == null || context.createdHere(op.target())) {
      return null;
    }
    Optional<Contract.ProtectedTable> t = context.contract().protectedTable(op.target());
    if (t.isEmpty()) {
      // a write to a parent table whose foreign key cascades into a protected table
      return context
          .cascades()
          .reach(op.kind(), op.target())
          .map(
              how ->
                  op.kind().name().toLowerCase().replace('_', ' ')
                      + " on "
                      + op.target()
                      + " "
                      + how)
          .orElse(null);
    }
    if (op.kind() == OpKind.UPDATE
        && !op.columns().isEmpty()
        && t.get().writableColumns().containsAll(op.columns())) {
      return null;
    }
    String what = op.kind().name().toLowerCase().replace('_', ' ');
    if (op.kind() == OpKind.UPDATE && !op.columns().isEmpty()) {
      return "UPDATE of protected table "
          + op.target()
          + " sets "
          + op.columns().stream().filter(c -> !t.get().writableColumns().contains(c)).toList()
          + ", which the contract does not list as writable";
    }
    return what
        + " on protected table "
        + op.target()
        + (op.column() == null ? "" : " (column " + op.column() + ")");
  }
}
