package dev.prodguard.lint.rules;

import dev.prodguard.findings.Severity;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Operation.Flag;

/**
 * A sequence (or an identity column's) moved back: {@code ALTER SEQUENCE s RESTART [WITH n]},
 * PostgreSQL's {@code ALTER TABLE t ALTER COLUMN id RESTART} and {@code setval('s', n)} with a
 * constant. The next values it hands out may be keys the table already holds, so the application's
 * inserts fail on the primary key until the sequence passes them. Not reported: {@code setval('s',
 * (SELECT max(id) FROM t))} (it follows the keys), {@code TRUNCATE ... RESTART IDENTITY} (the
 * table's rows go with it; {@code truncate} reports it), and MariaDB's {@code AUTO_INCREMENT = n}
 * and {@code SETVAL}, which the server never moves below the keys or values already used.
 */
public final class SequenceRestartRule extends BaseRule {
  public SequenceRestartRule() {
    super(
        "sequence-restart",
        Severity.WARNING,
        "Restarting a sequence (ALTER SEQUENCE ... RESTART, setval to a constant) can hand out keys the table already holds.",
        "Leave the sequence where it is; to move it, move it past the keys in use: SELECT setval('s', (SELECT max(id) FROM t)). If the table is emptied in the same migration, say so in a contract exception.");
  }

  @Override
  public String check(Operation op, RuleContext context) {
    return op.has(Flag.RESTARTS_SEQUENCE)
        ? (op.target() == null ? "a sequence" : op.target())
            + (op.column() != null ? " (identity column " + op.column() + ")" : "")
            + " is moved back: the values it hands out next may already be keys of the table, so"
            + " inserts fail on the primary key until the sequence passes them"
        : null;
  }
}
