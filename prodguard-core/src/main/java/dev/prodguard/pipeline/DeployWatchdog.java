package dev.prodguard.pipeline;

import dev.prodguard.db.Progress;
import dev.prodguard.db.Redactor;
import dev.prodguard.environment.Target;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.support.SessionWaits;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * G7: a deploy never waits silently or forever. While the migration tool runs, a thread of its own
 * polls, on a separate autocommit connection (fingerprint-checked like every other), what the
 * deploy's sessions wait for ({@link SessionWaits}): a statement blocked by another session is
 * reported with its blocker ("V2__t_v.sql waiting 12 s for ... held by pid 4711 (... idle in
 * transaction ...)"), and once it has waited {@code pipeline.lock-wait-timeout} the watchdog
 * cancels that one statement (PostgreSQL {@code pg_cancel_backend}, MariaDB {@code KILL QUERY ID}).
 * The migration then fails, and {@link #cancelled()} says what it waited for.
 *
 * <p>The wait is measured from the first poll that sees the statement blocked, and restarts when a
 * poll sees it running again; polls are {@link #POLL} apart.
 */
final class DeployWatchdog implements AutoCloseable {
  static final Duration POLL = Duration.ofMillis(500);
  static final Duration FIRST_REPORT = Duration.ofSeconds(2);
  static final Duration REPORT_EVERY = Duration.ofSeconds(10);
  private static final long JOIN_MILLIS = 10_000;

  /**
   * A statement the watchdog cancelled, and why; {@code terminateSql} ends the first blocker that
   * is not the deploy's own session, for the refusal's way forward.
   */
  record Cancelled(
      String migration,
      SessionWaits.Wait blocked,
      Duration waited,
      String cancelSql,
      Optional<String> terminateSql) {}

  private final Connection watcher;
  private final SessionWaits waits;
  private final TargetDataSource deploy;
  private final MigrationSet set;
  private final Duration bound;
  private final Progress progress;
  private final Thread thread;
  private final Map<String, Tracked> tracked = new HashMap<>();
  private volatile boolean stopped;
  private volatile Cancelled cancelled;
  private volatile String lastProblem;

  private static final class Tracked {
    final long since;
    boolean reported;
    long reportedAt;

    Tracked(long since) {
      this.since = since;
    }
  }

  private DeployWatchdog(
      Connection watcher,
      SessionWaits waits,
      TargetDataSource deploy,
      MigrationSet set,
      Duration bound,
      Progress progress) {
    this.watcher = watcher;
    this.waits = waits;
    this.deploy = deploy;
    this.set = set;
    this.bound = bound;
    this.progress = progress;
    this.thread = new Thread(this::loop, "prodguard-deploy-watchdog");
    this.thread.setDaemon(true);
  }

  /**
   * Opens the watcher connection and starts watching the sessions {@code deploy} hands out. A
   * watcher that cannot connect refuses the deploy before anything runs (fail closed): a deploy
   * without it could wait forever.
   */
  static DeployWatchdog start(
      Target target, TargetDataSource deploy, MigrationSet set, Duration bound, Progress progress)
      throws SQLException {
    return start(target, deploy, set, bound, progress, TargetDataSource.reading(target));
  }

  /**
   * {@link #start(Target, TargetDataSource, MigrationSet, Duration, Progress)}, watching on a
   * checked connection of {@code watcher} (a promote's reading connection).
   */
  static DeployWatchdog start(
      Target target,
      TargetDataSource deploy,
      MigrationSet set,
      Duration bound,
      Progress progress,
      javax.sql.DataSource watcher)
      throws SQLException {
    Connection c = watcher.getConnection();
    try {
      c.setAutoCommit(true);
      DeployWatchdog w =
          new DeployWatchdog(c, target.dialect().sessionWaits(), deploy, set, bound, progress);
      w.thread.start();
      return w;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The statement the watchdog cancelled because it waited longer than the bound, if any. */
  Optional<Cancelled> cancelled() {
    return Optional.ofNullable(cancelled);
  }

  private void loop() {
    while (!stopped) {
      try {
        poll();
        lastProblem = null;
      } catch (SQLException | RuntimeException e) {
        String m = Redactor.redact(String.valueOf(e.getMessage()));
        if (!m.equals(lastProblem)) {
          report("cannot see what the deploy waits for (" + m + "); still trying");
        }
        lastProblem = m;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void poll() throws SQLException {
    List<SessionWaits.Wait> now = waits.waits(watcher, deploy.sessions());
    long t = System.nanoTime();
    Map<String, Tracked> seen = new HashMap<>();
    for (SessionWaits.Wait w : now) {
      String key = w.session() + "/" + w.statement();
      Tracked tr = tracked.getOrDefault(key, new Tracked(t));
      seen.put(key, tr);
      Duration waited = Duration.ofNanos(t - tr.since);
      if (cancelled == null && waited.compareTo(bound) >= 0) {
        String migration = migration(w);
        if (stopped) {
          return;
        }
        boolean sent;
        try {
          sent = waits.cancel(watcher, w);
        } catch (SQLException e) {
          report(migration + " waited " + seconds(waited) + " but cannot be cancelled: " + e);
          continue;
        }
        if (sent) {
          List<String> own = deploy.sessions();
          Optional<String> terminate =
              w.blockers().stream()
                  .filter(b -> !own.contains(b.session()))
                  .findFirst()
                  .flatMap(waits::terminateSql);
          cancelled = new Cancelled(migration, w, waited, waits.cancelSql(w), terminate);
          report(
              migration
                  + " waited "
                  + seconds(waited)
                  + ", the limit (pipeline.lock-wait-timeout): cancelling it ("
                  + waits.cancelSql(w)
                  + ")");
        }
      } else if (waited.compareTo(FIRST_REPORT) >= 0
          && (!tr.reported || t - tr.reportedAt >= REPORT_EVERY.toNanos())) {
        tr.reported = true;
        tr.reportedAt = t;
        report(describe(migration(w), w, waited) + "; " + limits());
      }
    }
    tracked.clear();
    tracked.putAll(seen);
  }

  /**
   * The limits that end a wait: the watchdog's bound, and the server's {@code lock_timeout} where
   * it is shorter; it applies only to a migration in a transaction (prodguard lifts it for one run
   * outside a transaction, so a concurrent index build may wait for older transactions).
   */
  String limits() {
    String watchdog = "giving up at " + seconds(bound) + " (pipeline.lock-wait-timeout)";
    Optional<Duration> lock = deploy.lockTimeout();
    if (lock.isPresent() && lock.get().compareTo(bound) < 0) {
      return "the server gives up at "
          + (lock.get().toSeconds() == 0 ? lock.get().toMillis() + " ms" : seconds(lock.get()))
          + " (pipeline.lock-timeout) in a migration that runs in a transaction; "
          + watchdog
          + " otherwise";
    }
    return watchdog;
  }

  /** Statement texts of other sessions go to CI logs: never with a credential in them. */
  private void report(String line) {
    progress.waiting(Redactor.redact(line));
  }

  /** {@code V2__t_v.sql waiting 12 s for ... held by pid 4711 (...)}. */
  String describe(String migration, SessionWaits.Wait w, Duration waited) {
    return migration + " waiting " + seconds(waited) + " for " + waitedOn(w);
  }

  /** What the statement waits for and who holds it. */
  String waitedOn(SessionWaits.Wait w) {
    StringBuilder b = new StringBuilder(w.waitingFor().isBlank() ? "a lock" : w.waitingFor());
    if (w.blockers().isEmpty()) {
      return b.append(" (the server names no holder)").toString();
    }
    b.append(w.certain() ? " held by " : ", likely held by one of: ");
    List<String> sessions = deploy.sessions();
    for (int i = 0; i < w.blockers().size(); i++) {
      SessionWaits.Blocker x = w.blockers().get(i);
      b.append(i == 0 ? "" : "; ").append(x.describe(waits.sessionWord()));
      if (sessions.contains(x.session())) {
        b.append(" [a connection of this deploy's own migration tool]");
      }
    }
    return b.toString();
  }

  /** The pending migration whose text contains the waiting statement; else "a migration". */
  private String migration(SessionWaits.Wait w) {
    String needle = normalise(w.query());
    if (needle.length() > 80) {
      needle = needle.substring(0, 80);
    }
    if (!needle.isEmpty()) {
      for (PendingMigration p : set.pending()) {
        String text = normalise(new String(p.file().bytes(), StandardCharsets.UTF_8));
        if (text.contains(needle)) {
          return p.file().fileName();
        }
      }
    }
    return "a migration";
  }

  private static String normalise(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }

  static String seconds(Duration d) {
    long s = d.toSeconds();
    return s >= 120 && s % 60 == 0 ? (s / 60) + " min" : s + " s";
  }

  @Override
  public void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    thread.interrupt();
    try {
      thread.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      watcher.close();
    } catch (SQLException e) {
      // the server ends the session with the connection
    }
  }
}
