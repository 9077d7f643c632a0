package dev.prodguard.pipeline;

import dev.prodguard.db.Progress;
import dev.prodguard.migration.MigrationEngine;

/**
 * The deploy's view of the engine's migrations: each start and end goes to {@link Progress} (a
 * terminal or a CI log), and the migration that started last is what a failure or a retry names.
 */
final class DeployProgress implements MigrationEngine.Listener, LockRetry.Listener {
  private final Progress progress;
  private volatile String current = "the migration";

  DeployProgress(Progress progress) {
    this.progress = progress;
  }

  @Override
  public void started(String migration) {
    current = migration;
    progress.migrating(migration);
  }

  @Override
  public void ended(String migration, long millis, boolean applied) {
    progress.migrated(migration, millis, applied);
  }

  @Override
  public String migration() {
    return current;
  }
}
