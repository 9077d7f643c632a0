package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;
import dev.prodguard.sql.SqlSyntax;

/**
 * PostgreSQL's CASCADE drops (or empties) every object that depends on the one named, whichever
 * table they belong to: {@code DROP TYPE kind CASCADE} drops the columns of that type from
 * protected tables, {@code DROP FUNCTION f CASCADE} their defaults, constraints and generated
 * columns, {@code TRUNCATE t CASCADE} empties the tables that reference {@code t}. prodguard cannot
 * see the dependants from the migration text, so a CASCADE is an error unless a contract exception
 * covers it. MariaDB accepts CASCADE and ignores it.
 */
public final class DropCascadeRule extends BaseRule {
  public DropCascadeRule() {
    super(
        "drop-cascade",
        Severity.ERROR,
        "CASCADE also drops or empties every object that depends on the one named (columns of"
            + " that type, defaults, constraints, views, referencing tables), in whichever table"
            + " they are: the migration text does not say what goes, so no rule can judge it."
            + " PostgreSQL only (MariaDB ignores CASCADE).",
        "Drop the dependants explicitly first (each judged by its own rule), then drop the object"
            + " without CASCADE; if the cascade is intended and reviewed, cover this migration"
            + " with a contract exception that says what it removes.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    if (!op.has(Flag.CASCADE) || context.syntax() != SqlSyntax.POSTGRESQL) {
      return null;
    }
    if (op.kind() == dev.prodguard.sql.OpKind.DROP_OTHER && "EXTENSION".equals(op.detail())) {
      return "DROP EXTENSION "
          + op.target()
          + " drops every object that belongs to the extension, CASCADE or not: a table made a"
          + " member (ALTER EXTENSION ... ADD TABLE) goes with its rows";
    }
    String what =
        switch (op.kind()) {
          case TRUNCATE ->
              "TRUNCATE " + op.target() + " CASCADE empties every table that references it";
          case DROP_COLUMN ->
              "DROP COLUMN "
                  + op.target()
                  + "."
                  + op.column()
                  + " CASCADE drops every object that depends on the column";
          default ->
              kind(op)
                  + on(op.target() != null ? op.target() : op.detail())
                  + " CASCADE drops every object that depends on it, in any table";
        };
    return what;
  }

  private static String kind(Operation op) {
    return switch (op.kind()) {
      case DROP_OTHER -> "DROP" + (op.detail() != null ? " " + op.detail() : "");
      case DROP_FUNCTION -> "DROP FUNCTION";
      case DROP_CONSTRAINT -> "DROP CONSTRAINT on";
      case DROP_INDEX -> "DROP INDEX";
      case DROP_TRIGGER -> "DROP TRIGGER on";
      case ALTER_TABLE_OTHER -> op.detail() != null ? op.detail() + " on" : "ALTER TABLE";
      default -> op.kind().name().replace('_', ' ');
    };
  }
}
