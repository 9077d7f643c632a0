package dev.prodguard.lint.rules;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.RuleInfo;
import dev.prodguard.findings.Severity;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.SqlStatement;
import java.util.List;

/**
 * A callback the migration tool runs on every migrate, nothing pending included (Flyway: {@code
 * afterMigrate}, {@code beforeMigrate}, {@code afterValidate}, ...: the events of {@link
 * Rules#EVERY_MIGRATE_CALLBACK_DDL}), that writes data ({@code INSERT}, {@code UPDATE}, {@code
 * DELETE}, {@code MERGE}, {@code COPY ... FROM}, or a routine, {@code DO} block or dynamic SQL
 * whose body prodguard cannot see). Nothing in the database refuses a data change by a session that
 * is no deploy's (the DDL guard sees DDL, the history guard the history table), so every
 * application start-up that runs Flyway with nothing pending runs these writes on the protected
 * database outside the pipeline: no verify, no backup, no audit row (G6). An error on protected
 * environments only; no contract entry covers it (a callback is no migration). Schema changes in
 * such a callback are {@link Rules#EVERY_MIGRATE_CALLBACK_DDL}'s.
 */
public final class EveryMigrateCallbackWriteRule {
  public static final RuleInfo INFO =
      RuleInfo.of(
          "every-migrate-callback-write",
          Severity.ERROR,
          "G6",
          "A callback that runs on every migrate writes data: at every application start, outside"
              + " the pipeline.",
          "Flyway runs this callback on every migrate, also with nothing pending: an application's"
              + " start-up migration, a developer's flyway validate or info. Nothing in the"
              + " database refuses a data change outside a deploy, so on a protected environment"
              + " its INSERT, UPDATE, DELETE, MERGE or COPY (or a routine whose body prodguard"
              + " cannot see) runs on production at every start, with no verify, backup or audit"
              + " row (G6); so does a table rewrite or lock (CLUSTER, VACUUM FULL, OPTIMIZE TABLE,"
              + " REINDEX without CONCURRENTLY, LOCK TABLE), which blocks the table's readers or"
              + " writers at every start.",
          "Rename it to an afterMigrateApplied callback (afterMigrateApplied__x.sql: runs only"
              + " after a migrate that applied something, i.e. inside prodguard's deploy) or an"
              + " afterEachMigrate one, or move the statements into a migration (a repeatable"
              + " R__x.sql runs again whenever it changes); recurring housekeeping belongs to a"
              + " scheduled job, not to the migration tool.");

  private EveryMigrateCallbackWriteRule() {}

  /**
   * Whether the operation writes data, or may (a {@code DO} block, {@code CALL}, function call or
   * dynamic SQL whose body is not known: fail closed). Schema changes are not counted here.
   */
  public static boolean writes(Operation op) {
    return switch (op.kind()) {
      case DELETE, UPDATE, INSERT, MERGE, COPY_IN -> true;
      case DO_BLOCK, CALL, FUNCTION_CALL, DYNAMIC_SQL -> op.has(Operation.Flag.OPAQUE);
      // a table rewritten or locked at every start (attacker 20/10): CLUSTER, VACUUM FULL,
      // OPTIMIZE TABLE, REINDEX without CONCURRENTLY, LOCK TABLE(S); plain VACUUM and ANALYZE not
      case MAINTENANCE ->
          op.has(Operation.Flag.REWRITE)
              || (op.detail() != null
                  && op.detail().startsWith("REINDEX")
                  && !op.has(Operation.Flag.CONCURRENTLY));
      case LOCK -> op.target() != null;
      default -> false;
    };
  }

  /** One finding per callback: its file, its event, how many writes, where the first is. */
  public static Finding finding(MigrationSource f, String event, List<SqlStatement> writes) {
    SqlStatement first = writes.get(0);
    return new Finding(
        INFO.id(),
        Severity.ERROR,
        new Location(f.shown(), first.line(), first.column()),
        null,
        f.file().fileName()
            + " is a Flyway "
            + event
            + " callback, which Flyway runs without applying a migration (on every migrate,"
            + " nothing pending included: an application's start-up; or on a hand-run info,"
            + " validate, repair or baseline): its "
            + (writes.size() == 1
                ? "data change (or table rewrite or lock) runs"
                : writes.size() + " data changes (or table rewrites or locks) run")
            + " on the protected database at every start, outside the pipeline: no verify, no"
            + " backup, no audit row (G6)",
        first.excerpt(160),
        INFO.recipe(),
        INFO.guarantee(),
        null);
  }
}
