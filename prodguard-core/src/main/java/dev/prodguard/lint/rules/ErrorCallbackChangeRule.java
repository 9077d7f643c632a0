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
 * An error callback (Flyway: {@code afterMigrateError}, {@code afterEachMigrateError}, {@code
 * afterEachMigrateStatementError}, {@code afterValidateError}, every {@code ...Error} event) that
 * changes the schema or writes data. It runs on the target exactly when a migration fails there,
 * and the most common deploy failures depend on the target's rows (a CHECK or UNIQUE index over
 * existing data, a NOT NULL, a cast), which trace's empty copy never reproduces: trace never
 * replays it, so no review, trace limit or finding sees what it does to production (G4). An error
 * on protected environments only; no contract entry covers it (a callback is no migration).
 */
public final class ErrorCallbackChangeRule {
  public static final RuleInfo INFO =
      RuleInfo.of(
          "error-callback-change",
          Severity.ERROR,
          "G4",
          "A callback that runs when a migration fails changes the schema or writes data, unseen"
              + " by trace.",
          "Flyway runs an error callback (afterMigrateError, afterEachMigrateError,"
              + " afterEachMigrateStatementError, ...) on the target when a migration fails there,"
              + " most often on the target's rows (a CHECK, a UNIQUE index, a NOT NULL), which"
              + " trace's empty copy never reproduces. Trace does not replay it, so its schema"
              + " changes and writes reach production unreviewed: past the contract's trace limits,"
              + " on top of a failed deploy (G4).",
          "Keep error callbacks to logging and reads (SELECT, RAISE NOTICE); repair a failed deploy"
              + " with a new migration that goes through verify and trace, or restore the backup"
              + " the deploy took.");

  private ErrorCallbackChangeRule() {}

  /** Whether the operation counts: a schema change (as the linter judges it) or a data write. */
  public static boolean changes(Operation op, boolean schemaChange) {
    return schemaChange || EveryMigrateCallbackWriteRule.writes(op);
  }

  /** One finding per callback: its file, its event, how many changes, where the first is. */
  public static Finding finding(MigrationSource f, String event, List<SqlStatement> changes) {
    SqlStatement first = changes.get(0);
    return new Finding(
        INFO.id(),
        Severity.ERROR,
        new Location(f.shown(), first.line(), first.column()),
        null,
        f.file().fileName()
            + " is a Flyway "
            + event
            + " callback, which Flyway runs on the target when a migration fails there (most"
            + " often on the target's rows, which trace's empty copy never reproduces): its "
            + (changes.size() == 1
                ? "schema change or write runs"
                : changes.size() + " schema changes or writes run")
            + " on production untraced and unreviewed (G4)",
        first.excerpt(160),
        INFO.recipe(),
        INFO.guarantee(),
        null);
  }
}
