package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;
import dev.prodguard.sql.SqlSyntax;

/**
 * A statement that rewrites or copies a whole table while holding a lock that blocks writes ({@link
 * Flag#REWRITE}): on PostgreSQL an added column with a volatile default ({@code gen_random_uuid()},
 * {@code random()}, {@code clock_timestamp()}), a serial, identity or stored generated column,
 * {@code SET LOGGED/UNLOGGED/TABLESPACE/ACCESS METHOD}, {@code VACUUM FULL}, {@code CLUSTER}; on
 * MariaDB {@code ALGORITHM=COPY}, {@code ENGINE=}, {@code FORCE}, partition reorganisations and
 * {@code OPTIMIZE TABLE}. Column type changes are {@code alter-column-type}. A table created
 * earlier in the same file is empty: rewriting it costs nothing.
 */
public final class TableRewriteRule extends BaseRule {
  public TableRewriteRule() {
    super(
        "table-rewrite",
        Severity.WARNING,
        "The statement rewrites or copies the whole table while holding a lock that blocks writes"
            + " (a volatile column default, a serial, identity or stored generated column,"
            + " ALGORITHM=COPY, VACUUM FULL, ...), or asks for such a lock for the whole ALTER"
            + " (MariaDB LOCK=SHARED or EXCLUSIVE).",
        "Add the column without a default (or with a constant one), then backfill in batches and"
            + " set the default afterwards; use gen_random_uuid() and the like from the application"
            + " or a trigger for new rows; on MariaDB use ALGORITHM=INSTANT or INPLACE, or an"
            + " online schema-change tool; instead of VACUUM FULL or CLUSTER use pg_repack.");
  }

  /** PostgreSQL: a volatile default; the column is added bare, the default set for new rows. */
  static final String PG_VOLATILE_DEFAULT =
      "Add the column without a default, then set the default in its own ALTER TABLE ... ALTER"
          + " COLUMN ... SET DEFAULT (it applies to new rows only, nothing is rewritten), and fill"
          + " the existing rows in batches.";

  /** PostgreSQL: a serial, identity or stored generated column fills every row. */
  static final String PG_FILLED_COLUMN =
      "Add a plain nullable column, fill the existing rows in batches, then attach the sequence"
          + " or the expression (a default or a trigger for new rows), and add NOT NULL through a"
          + " validated CHECK constraint.";

  /** PostgreSQL: VACUUM FULL, CLUSTER, SET TABLESPACE/LOGGED/UNLOGGED/ACCESS METHOD. */
  static final String PG_REWRITE =
      "Use pg_repack, which rebuilds (or moves) the table online with only brief locks; otherwise"
          + " run it in a maintenance window, outside the migration.";

  /** MariaDB: a column that fills every row (AUTO_INCREMENT, expression default, STORED). */
  static final String MARIADB_FILLED_COLUMN =
      "Add the column with no default or a constant one (ALGORITHM=INSTANT), fill the existing"
          + " rows in batches, then set the expression for new rows; or use an online schema-change"
          + " tool (pt-online-schema-change, gh-ost).";

  /** MariaDB: a copying or locking ALTER, OPTIMIZE TABLE. */
  static final String MARIADB_COPY =
      "Ask for ALGORITHM=INSTANT or INPLACE with LOCK=NONE, which the server refuses rather than"
          + " copy; if the change needs a copy, use an online schema-change tool"
          + " (pt-online-schema-change, gh-ost).";

  /** One way forward for this occurrence: by its cause, on its server. */
  @Override
  public String recipe(Operation op, SqlSyntax syntax) {
    String d = op.detail() == null ? "" : op.detail();
    boolean filled =
        op.kind() == OpKind.ADD_COLUMN
            || d.contains("fills every existing row")
            || d.contains("computed for every existing row");
    if (syntax == SqlSyntax.POSTGRESQL) {
      if (d.startsWith("the default ") && d.contains("volatile")) {
        return PG_VOLATILE_DEFAULT;
      }
      return filled ? PG_FILLED_COLUMN : PG_REWRITE;
    }
    if (syntax == SqlSyntax.MYSQL) {
      return filled ? MARIADB_FILLED_COLUMN : MARIADB_COPY;
    }
    return recipe();
  }

  @Override
  public String check(Operation op, RuleContext context) {
    if (!op.has(Flag.REWRITE) || context.newHere(op.target())) {
      return null;
    }
    String where = op.target() == null ? "" : " (" + on(op.target()).strip() + ")";
    return (op.detail() == null ? "rewrites the table" : op.detail()) + where;
  }
}
