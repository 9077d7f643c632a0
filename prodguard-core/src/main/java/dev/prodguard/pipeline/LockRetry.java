package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Progress;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.support.DatabaseSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Bounded retries of a migration that gave up waiting for a lock ({@code pipeline.lock-timeout}),
 * the pattern strong_migrations and pgroll use: a short lock timeout keeps a migration from
 * queueing every other session behind its lock request, and a few retries with a growing pause ride
 * out a long transaction that held the table.
 *
 * <p>Only a migration that ran in a transaction the failure rolled back is run again, only when no
 * callback of the project runs outside the migrations' transactions (a {@code beforeMigrate.sql}
 * would run, and commit, once per attempt: {@link MigrationEngine#callbacksOutsideMigrations}), and
 * only where DDL is transactional ({@link DatabaseSupport#transactionalDdl()}, PostgreSQL): then
 * nothing of it remains and the engine recorded nothing. On MySQL/MariaDB, whose DDL commits on its
 * own, a timed-out migration fails as any other. Each retry is reported to {@code audit} before it
 * runs (G10) and shown as a wait.
 */
final class LockRetry {
  static final Duration FIRST_PAUSE = Duration.ofSeconds(1);

  private final MigrationEngine engine;
  private final DatabaseSupport d;
  private final ProdguardConfig.MigrationSessions bounds;
  private final Progress progress;
  private final Consumer<Map<String, Object>> audit;
  private final Duration firstPause;

  /** How often the last {@link #migrate} ran a migration again before it gave up. */
  private int retried;

  LockRetry(
      MigrationEngine engine,
      DatabaseSupport d,
      ProdguardConfig.MigrationSessions bounds,
      Progress progress,
      Consumer<Map<String, Object>> audit,
      Duration firstPause) {
    this.engine = engine;
    this.d = d;
    this.bounds = bounds;
    this.progress = progress;
    this.audit = audit;
    this.firstPause = firstPause;
  }

  /**
   * The engine's migrate, run again after a retriable lock timeout at most {@code
   * pipeline.lock-retries} times. The report holds every migration applied by any attempt; {@code
   * ours} picks this deploy's from a failure's list (which is the whole history's).
   *
   * @throws MigrationEngine.MigrationFailure the last failure, with all that was applied before it
   */
  MigrationEngine.Report migrate(
      MigrationFiles files,
      DataSource ds,
      MigrationEngine.Listener listener,
      Listener lastFailed,
      java.util.function.Predicate<String> ours) {
    List<MigrationEngine.Applied> earlier = new ArrayList<>();
    Duration pause = firstPause;
    for (int attempt = 1; ; attempt++) {
      try {
        MigrationEngine.Report r = engine.migrate(files, ds, listener);
        if (earlier.isEmpty()) {
          return r;
        }
        List<MigrationEngine.Applied> all = new ArrayList<>(earlier);
        all.addAll(r.applied());
        return new MigrationEngine.Report(all, r.engine());
      } catch (MigrationEngine.MigrationFailure e) {
        List<MigrationEngine.Applied> all = new ArrayList<>(earlier);
        for (MigrationEngine.Applied a : e.applied()) {
          if (ours.test(a.script()) && all.stream().noneMatch(x -> x.script().equals(a.script()))) {
            all.add(a);
          }
        }
        List<String> rerun =
            engine.callbacksOutsideMigrations(files, d.kind()).stream()
                .map(MigrationSource::shown)
                .toList();
        if (attempt <= bounds.retries() && retriable(e) && !rerun.isEmpty()) {
          // G7: a retry runs the whole migrate again, and these callbacks with it; what they
          // changed in this attempt was committed, so running them again is not a retry
          throw new MigrationEngine.MigrationFailure(
              e.getMessage()
                  + " (not retried on pipeline.lock-timeout: the callback"
                  + (rerun.size() == 1 ? " " : "s ")
                  + String.join(", ", rerun)
                  + " ran outside the migration's transaction and would run again)",
              all,
              e);
        }
        if (attempt > bounds.retries() || !retriable(e)) {
          // the deploy's failure names the retries in its own sentence (DeployStep)
          retried = attempt - 1;
          throw attempt == 1 ? e : new MigrationEngine.MigrationFailure(e.getMessage(), all, e);
        }
        earlier = all;
        String migration = lastFailed.migration();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("migration", migration);
        detail.put("retry", attempt);
        detail.put("of", bounds.retries());
        detail.put("lock_timeout_ms", bounds.lockTimeout().orElseThrow().toMillis());
        detail.put("pause_ms", pause.toMillis());
        detail.put("failure", firstLine(e.getMessage()));
        audit.accept(detail);
        progress.waiting(
            migration
                + " gave up waiting for a lock after "
                + bounds.lockTimeout().orElseThrow().toMillis()
                + " ms (pipeline.lock-timeout); it ran in a transaction, nothing of it remains:"
                + " retry "
                + attempt
                + " of "
                + bounds.retries()
                + " in "
                + pause.toMillis()
                + " ms");
        try {
          Thread.sleep(pause.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        pause = pause.multipliedBy(2);
      }
    }
  }

  /** How often the last {@link #migrate} that failed ran a migration again before giving up. */
  int retried() {
    return retried;
  }

  private boolean retriable(MigrationEngine.MigrationFailure e) {
    return d.transactionalDdl() && d.lockTimedOut(e) && engine.failedInTransaction(e);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The migration that started last: the one that failed. */
  interface Listener {
    String migration();
  }
}
