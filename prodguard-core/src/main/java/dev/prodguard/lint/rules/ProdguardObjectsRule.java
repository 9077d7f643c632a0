package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.ProdguardObjects;
import java.util.Locale;

/**
 * No migration may write, alter, drop, rename, disable the triggers of, or otherwise touch
 * prodguard's own objects ({@code database_metadata}, {@code prodguard_*}) or Flyway's history
 * table, nor set {@code session_replication_role} (which switches their triggers off): they carry
 * the fingerprint (G2), the guards (G6), the pipeline state (G7) and the audit chain (G10). An
 * error on every environment that no contract exception can cover.
 */
public final class ProdguardObjectsRule extends BaseRule {
  /** ALTER TABLE's detail for a change of every (user) trigger of a table (Classifier). */
  private static final java.util.regex.Pattern ALL_TRIGGERS =
      java.util.regex.Pattern.compile("(ENABLE( REPLICA| ALWAYS)?|DISABLE) TRIGGER (ALL|USER)");

  public ProdguardObjectsRule() {
    super(
        "prodguard-objects",
        Severity.ERROR,
        "prodguard's own objects (database_metadata, the prodguard_* tables, functions, triggers"
            + " and event trigger) and Flyway's history table carry the fingerprint, the guards,"
            + " the pipeline state and the audit chain: no migration may touch them, nor set"
            + " session_replication_role or write the server's system catalogs, which switch"
            + " their triggers off, nor release advisory locks (pg_advisory_unlock*), which"
            + " ends prodguard's deploy lock.",
        "Leave them to prodguard (init-fingerprint creates and upgrades them). No contract"
            + " exception can allow this.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    if (op.kind().touchesTable() && ProdguardObjects.systemCatalog(op.target(), context.syntax())) {
      return statement(op)
          + " on "
          + op.target()
          + ", a system catalog of the database server: writing the catalogs can switch"
          + " prodguard's triggers and guards off beneath every check";
    }
    if (op.kind() == OpKind.SET_SESSION
        && op.detail() != null
        && op.detail().startsWith("USE ")
        && ProdguardObjects.systemCatalog(op.detail().substring(4) + ".x", context.syntax())) {
      return op.detail()
          + " makes unqualified names resolve in a system database of the server: the statements"
          + " after it can write its catalogs";
    }
    if (op.kind() == OpKind.REFERENCE
        && op.target() != null
        && op.target().startsWith("pg_advisory_unlock")) {
      return op.detail() != null
          ? op.detail()
          : op.target() + "() releases advisory locks, prodguard's deploy lock (G8) included";
    }
    if (op.kind() == OpKind.ALTER_TABLE_OTHER
        && op.detail() != null
        && ALL_TRIGGERS.matcher(op.detail()).matches()) {
      return "ALTER TABLE "
          + op.target()
          + " "
          + op.detail()
          + " changes how every trigger of the table fires, prodguard's TRUNCATE guard"
          + " (prodguard_truncate_guard, G6) included"
          + (op.detail().endsWith("ALL")
              ? ", and with ALL the server's foreign-key triggers: referential integrity"
              : "")
          + "; name the application's trigger instead (ALTER TABLE "
          + op.target()
          + " "
          + op.detail().substring(0, op.detail().lastIndexOf(' '))
          + " my_trigger)";
    }
    if (!ProdguardObjects.reserved(op.target()) && !context.historyTable(op.target())) {
      return null;
    }
    String target = op.target();
    if (target.toLowerCase(Locale.ROOT).endsWith(ProdguardObjects.REPLICATION_ROLE)) {
      return (op.kind() == OpKind.SET_SESSION ? "sets " : "names ")
          + ProdguardObjects.REPLICATION_ROLE
          + ", which switches off triggers, prodguard's append-only and guard triggers included";
    }
    String what =
        op.kind() == OpKind.REFERENCE
            ? "names " + target + (op.detail() != null ? " (" + op.detail() + ")" : "")
            : statement(op) + " on " + target;
    return what + ", one of prodguard's own objects";
  }

  /** DELETE, ALTER TABLE, DROP EVENT TRIGGER, CREATE FUNCTION, ... */
  private static String statement(Operation op) {
    return switch (op.kind()) {
      case ALTER_TABLE_OTHER -> "ALTER TABLE";
      case CREATE_OTHER, ALTER_OTHER, DROP_OTHER ->
          op.kind().name().substring(0, op.kind().name().indexOf('_'))
              + (op.detail() != null ? " " + op.detail() : "");
      default -> op.kind().name().replace('_', ' ');
    };
  }
}
