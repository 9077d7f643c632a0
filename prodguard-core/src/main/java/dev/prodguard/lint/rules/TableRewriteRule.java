package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

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
        "The statement rewrites or copies the whole table while holding a lock that blocks writes (a volatile column default, a serial, identity or stored generated column, ALGORITHM=COPY, VACUUM FULL, ...), or asks for such a lock for the whole ALTER (MariaDB LOCK=SHARED or EXCLUSIVE).",
        "Add the column without a default (or with a constant one), then backfill in batches and set the default afterwards; use gen_random_uuid() and the like from the application or a trigger for new rows; on MariaDB use ALGORITHM=INSTANT or INPLACE, or an online schema-change tool; instead of VACUUM FULL or CLUSTER use pg_repack.");
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
