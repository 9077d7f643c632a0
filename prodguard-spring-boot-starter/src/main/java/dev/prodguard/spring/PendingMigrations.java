package dev.prodguard.spring;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;

/**
 * The start-up of a protected environment, in place of Spring Boot's {@code flyway.migrate()}:
 * compares the application's migrations with the history table read-only ({@code flyway.info()},
 * Flyway's own discovery and comparison) and refuses to start while anything is pending or failed,
 * naming the versions and the CI path. Nothing is migrated, ever.
 */
public final class PendingMigrations {
  private PendingMigrations() {}

  /**
   * @throws GuardRefusal G6 when a migration is pending or failed
   */
  public static void refuseUnlessDeployed(ApplicationGuard guard, Flyway flyway) {
    MigrationInfoService info = reading(flyway).info();
    List<String> pending = new ArrayList<>();
    for (MigrationInfo m : info.pending()) {
      pending.add(label(m));
    }
    List<String> failed = new ArrayList<>();
    for (MigrationInfo m : info.all()) {
      if (m.getState().isFailed()) {
        failed.add(label(m));
      }
    }
    String env = guard.environment();
    String what = "start the application on protected environment '" + env + "'";
    if (!failed.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          "the history table records failed migration"
              + (failed.size() == 1 ? " " : "s ")
              + String.join(", ", failed)
              + " in '"
              + env
              + "'",
          "resolve the failed deploy through the pipeline ('prodguard status "
              + env
              + "', then 'prodguard promote "
              + env
              + "' from CI); the application never repairs a protected database");
    }
    if (!pending.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          pending.size()
              + " migration"
              + (pending.size() == 1 ? " is" : "s are")
              + " pending in '"
              + env
              + "': "
              + String.join(", ", pending)
              + ". A start-up of a protected environment never migrates (that would run them"
              + " outside the pipeline: no verification, no backup, no audit)",
          "deploy them from CI with 'prodguard promote "
              + env
              + "' (docs/pipeline.md), then start this version; or start the version of the"
              + " application that matches the database");
    }
  }

  /** How many of the application's migrations the history table does not hold yet. */
  public static int pendingCount(Flyway flyway) {
    return reading(flyway).info().pending().length;
  }

  /**
   * The application's Flyway without callbacks, for reading the history: Flyway runs a {@code
   * beforeInfo.sql} (or a Java callback bean) found in its configuration on every {@code info()},
   * which on a protected database is SQL run at every start-up with nobody's review (G6). Same
   * locations, history table, placeholders and connection; no SQL or Java callbacks.
   */
  static Flyway reading(Flyway flyway) {
    return Flyway.configure(flyway.getConfiguration().getClassLoader())
        .configuration(flyway.getConfiguration())
        .skipDefaultCallbacks(true)
        .callbacks(new org.flywaydb.core.api.callback.Callback[0])
        .load();
  }

  private static String label(MigrationInfo m) {
    String v = m.getVersion() == null ? "R" : m.getVersion().getVersion();
    return v + " (" + m.getDescription() + ")";
  }
}
