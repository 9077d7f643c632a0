package dev.prodguard.flyway;

import dev.prodguard.migration.MigrationEngine;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * A Flyway Java callback that tells a {@link MigrationEngine.Listener} as each migration starts
 * ({@code beforeEachMigrate}) and ends ({@code afterEachMigrate}, {@code afterEachMigrateError}),
 * with the time it took, measured here. It touches no connection, so it may run inside the
 * migration's transaction; prodguard's own SQL callback (G6) runs alongside it as before.
 */
final class MigrationProgress implements Callback {
  private final MigrationEngine.Listener listener;
  private long started;

  MigrationProgress(MigrationEngine.Listener listener) {
    this.listener = listener;
  }

  @Override
  public boolean supports(Event event, Context context) {
    return event == Event.BEFORE_EACH_MIGRATE
        || event == Event.AFTER_EACH_MIGRATE
        || event == Event.AFTER_EACH_MIGRATE_ERROR;
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return true;
  }

  @Override
  public void handle(Event event, Context context) {
    String label = label(context.getMigrationInfo());
    if (event == Event.BEFORE_EACH_MIGRATE) {
      started = System.nanoTime();
      listener.started(label);
    } else {
      listener.ended(
          label, (System.nanoTime() - started) / 1_000_000, event == Event.AFTER_EACH_MIGRATE);
    }
  }

  @Override
  public String getCallbackName() {
    return "prodguard-progress";
  }

  /** {@code V5 orders shipped}, {@code R views}, as the deploy summary names migrations. */
  static String label(MigrationInfo info) {
    if (info == null) {
      return "migration";
    }
    String prefix =
        info.getType() instanceof org.flywaydb.core.api.migration.baseline.BaselineMigrationType
            ? "B"
            : "V";
    return (info.getVersion() == null ? "R" : prefix + info.getVersion())
        + " "
        + info.getDescription();
  }
}
