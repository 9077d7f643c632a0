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
    if (!op.has(Operation.Flag.IN_BODY) && !op.has(Operation.Flag.DEFERRED)) {
      context
          .cascades()
          .bodyRunsByItself(
              op.kind() == OpKind.CREATE_TRIGGER
                  || op.kind() == OpKind.CREATE_RULE
                  || (op.kind() == OpKind.CREATE_FUNCTION && "EVENT".equals(op.detail())));
    }
    Optional<String> dependent = context.cascades().dependent(op.kind(), op.detail(), op.target());
    if (dependent.isPresent()) {
      return op.kind().name().toLowerCase().replace('_', ' ') + " " + dependent.get();
    }
    if (!op.has(Operation.Flag.DEFERRED) && !op.has(Operation.Flag.IN_BODY)) {
      Optional<String> shadow =
          context.cascades().shadowCalls(op.statement(), context::createdHere);
      if (shadow.isPresent()) {
        return "statement " + shadow.get();
      }
    }
    // DDL run now fires the target's event triggers (PostgreSQL), whatever table it names
    if (ddl(op.kind()) && !op.has(Operation.Flag.DEFERRED)) {
      Optional<String> event = context.cascades().firesEventTriggers(context::createdHere);
      if (event.isPresent()) {
        return op.kind().name().toLowerCase().replace('_', ' ')
            + (op.target() != null ? " of " + op.target() : "")
            + " is DDL, which "
            + event.get();
      }
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
    if (context.syntax() == dev.prodguard.sql.SqlSyntax.POSTGRESQL) {
      Optional<String> shadow = context.cascades().shadow(op);
      if (shadow.isPresent()) {
        return shadow.get();
      }
    }
    // a call in a body that runs later (a routine's, a trigger's, an event's), which the analyser
    // records without following: judged by what the routine runs, transitively, on any path
    if ((op.kind() == OpKind.CALL || op.kind() == OpKind.FUNCTION_CALL)
        && op.has(Operation.Flag.DEFERRED)
        && !op.has(Operation.Flag.OPAQUE)) {
      Optional<String> called = context.cascades().calls(op.target(), context::createdHere);
      return called.orElse(null); // the finding names the trigger (its via) after the message
    }
    // a qualified call run now: the target's routine of that schema runs, not a namesake
    if ((op.kind() == OpKind.CALL || op.kind() == OpKind.FUNCTION_CALL)
        && !op.has(Operation.Flag.DEFERRED)) {
      Optional<String> called = context.cascades().callsStoredIn(op.target(), context::createdHere);
      if (called.isPresent()) {
        return op.kind().name().toLowerCase().replace('_', ' ') + " " + called.get();
      }
    }
    // a read, a refresh, a REINDEX or ANALYZE evaluates what the target has for the relation
    if ((op.kind() == OpKind.SELECT && op.target() != null) || op.kind() == OpKind.MAINTENANCE) {
      boolean refresh = op.kind() == OpKind.SELECT && "REFRESH".equals(op.detail());
      String event =
          op.kind() == OpKind.MAINTENANCE
              ? (op.detail() != null
                      && (op.detail().startsWith("REINDEX") || op.detail().startsWith("CLUSTER"))
                  ? "REINDEX"
                  : "MAINTENANCE")
              : refresh ? dev.prodguard.support.TableTrigger.REFRESH : "SELECT";
      Optional<String> how =
          context.cascades().evaluates(event, maintained(op), context::createdHere);
      if (how.isPresent()) {
        return (op.kind() == OpKind.MAINTENANCE
                ? "maintenance" + (op.target() != null ? " of " + op.target() : "")
                : (refresh ? "refresh of " : "read of ") + op.target())
            + " "
            + how.get();
      }
    }
    if (!op.kind().touchesTable() || op.target() == null) {
      return null;
    }
    if (context.createdHere(op.target())) {
      // a table created earlier in the same migration holds no production data yet, but writing
      // it runs what the server evaluates for it (a CHECK, a DEFAULT calling a routine)
      return context
          .cascades()
          .fires(op.kind(), op.target(), context::createdHere)
          .map(
              how ->
                  op.kind().name().toLowerCase().replace('_', ' ')
                      + " on "
                      + op.target()
                      + " "
                      + how)
          .orElse(null);
    }
    Optional<Contract.ProtectedTable> direct = context.contract().protectedTable(op.target());
    // a partition (or inheritance child) of a protected table: its rows are that table's rows
    Optional<TableParents.Protected> parent =
        direct.isPresent() ? Optional.empty() : context.cascades().protectedParent(op.target());
    Optional<Contract.ProtectedTable> t =
        direct.isPresent() ? direct : parent.map(TableParents.Protected::entry);
    // a write whose existing trigger (on the target, read by verify) writes a protected table
    Optional<String> fired = context.cascades().fires(op.kind(), op.target(), context::createdHere);
    if (fired.isPresent()) {
      return op.kind().name().toLowerCase().replace('_', ' ')
          + " on "
          + op.target()
          + " "
          + fired.get();
    }
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
    String table =
        parent
            .map(p -> op.target() + ", " + p.relation() + " of protected table " + p.parent() + ",")
            .orElse("protected table " + op.target());
    if (op.kind() == OpKind.UPDATE && !op.columns().isEmpty()) {
      return "UPDATE of "
          + table
          + " sets "
          + op.columns().stream().filter(c -> !t.get().writableColumns().contains(c)).toList()
          + ", which the contract does not list as writable";
    }
    String column = op.column() == null ? "" : " (column " + op.column() + ")";
    return parent.isPresent()
        ? what + " on " + table.substring(0, table.length() - 1) + column
        : what + " on " + table + column;
  }

  /**
   * The table whose expressions a maintenance statement evaluates: the one {@code REINDEX TABLE},
   * {@code VACUUM FULL} and {@code CLUSTER} name; null (every table) for any other (an index, a
   * schema, a database, {@code ANALYZE} read without its table). A read's relation is its target.
   */
  private static String maintained(Operation op) {
    if (op.kind() != OpKind.MAINTENANCE) {
      return op.target();
    }
    String d = op.detail() == null ? "" : op.detail();
    return d.equals("REINDEX TABLE") || d.startsWith("VACUUM FULL") || d.startsWith("CLUSTER")
        ? op.target()
        : null;
  }

  /**
   * Whether an operation of {@code kind} is a command PostgreSQL's event triggers fire on (DDL,
   * GRANT, COMMENT; one prodguard cannot read may be one: fail closed); row writes, reads, calls,
   * session and transaction commands are not.
   */
  static boolean ddl(OpKind kind) {
    return switch (kind) {
      case TRUNCATE,
          DELETE,
          UPDATE,
          INSERT,
          MERGE,
          COPY_IN,
          SELECT,
          DO_BLOCK,
          CALL,
          FUNCTION_CALL,
          DYNAMIC_SQL,
          SET_SESSION,
          TRANSACTION,
          LOCK,
          MAINTENANCE,
          REFERENCE ->
          false;
      default -> true;
    };
  }
}
