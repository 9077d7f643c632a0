package dev.prodguard.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prodguard.environment.Target;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.sql.SourceFile;
import dev.prodguard.sql.Splitter;
import dev.prodguard.sql.SqlStatement;
import dev.prodguard.sql.SqlSyntax;
import dev.prodguard.support.InvalidIndexes;
import dev.prodguard.support.SessionWaits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * G7: a clear state after a migration that ran outside a transaction failed part-way. On PostgreSQL
 * a failed or cancelled {@code CREATE INDEX CONCURRENTLY} / {@code REINDEX ... CONCURRENTLY} leaves
 * an invalid index, and the migration's retry fails with "already exists" until it is gone. At the
 * start of every deploy prodguard records a baseline ({@link InvalidIndexes.Baseline}) in the run's
 * receipt; after a failure the deploy drops, with {@code DROP INDEX CONCURRENTLY}, exactly the
 * invalid indexes created since that baseline that were not invalid before it. A deploy process
 * that was killed cannot do that itself: the next deploy does it for every run that failed since
 * the last successful deploy, before it migrates anything. Every drop is audited by the caller;
 * whatever cannot be dropped is named with the statement that fixes it. When nothing else of the
 * failed migration can remain, the failed entry Flyway wrote for it goes too, so a new run applies
 * it again.
 *
 * <p>Drops run on a connection the deploy registered (so the DDL guard lets them through) and wait
 * at most {@code pipeline.lock-wait-timeout} for each lock (right after a failure at most {@link
 * #AFTER_FAILURE_WAIT}, then they are left to the next deploy). An index that a build is still
 * working on ({@code pg_stat_progress_create_index}, e.g. a killed client's backend that has not
 * noticed yet) is waited for, within the same bound, and dropped only if still invalid afterwards.
 */
final class Leftovers {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration BUILD_POLL = Duration.ofMillis(200);

  /** How long the clean-up right after a failure waits for its locks before it defers. */
  static final Duration AFTER_FAILURE_WAIT = Duration.ofSeconds(30);

  /**
   * What a clean-up did (one line per change), what it left for the next deploy (which drops it
   * before it migrates), and what it could not do (each with the statement that fixes it).
   */
  record Report(List<String> done, List<String> deferred, List<String> problems) {
    static final Report NONE = new Report(List.of(), List.of(), List.of());

    Report {
      done = List.copyOf(done);
      deferred = List.copyOf(deferred);
      problems = List.copyOf(problems);
    }
  }

  /**
   * What prodguard did after a failed migration to leave a clear state: {@code account} (empty, or
   * starting with a line break) for the failure message; {@code nothingLeft}: nothing of the failed
   * migration remains but what is {@code deferred} to the next deploy.
   */
  record Outcome(
      String account,
      boolean nothingLeft,
      List<String> done,
      List<String> deferred,
      List<String> left) {
    static final Outcome NONE = new Outcome("", false, List.of(), List.of(), List.of());
  }

  private final Target target;
  private final MigrationEngine engine;
  private final Optional<InvalidIndexes> indexes;
  private final Duration bound;

  Leftovers(Target target, MigrationEngine engine, Duration bound) {
    this.target = target;
    this.engine = engine;
    this.indexes = target.dialect().invalidIndexes();
    this.bound = bound;
  }

  /**
   * After a failed migration (the first of {@code set} not in {@code applied}): drops the invalid
   * indexes it created ({@link #afterFailure}), and when nothing else of it can remain (a single
   * statement, atomic on PostgreSQL, or one the watchdog cancelled while it {@code waited} for a
   * lock before it changed anything, or that the server ended at its own lock wait limit, which
   * undoes the statement) removes the failed entry the migration tool recorded, so that a new run
   * applies it again. {@code address}: the environment as {@code prodguard repair} takes it.
   */
  Outcome afterFailedMigration(
      MigrationFiles files,
      MigrationSet set,
      List<MigrationEngine.Applied> applied,
      Connection control,
      DataSource registered,
      Optional<InvalidIndexes.Baseline> baseline,
      Optional<SessionWaits.Wait> waited,
      Throwable failure,
      String address) {
    Optional<PendingMigration> failed =
        set.pending().stream()
            .filter(
                p -> applied.stream().noneMatch(a -> a.script().equals(p.file().relativePath())))
            .findFirst();
    if (failed.isEmpty()) {
      return Outcome.NONE;
    }
    String name = failed.get().file().fileName();
    Report r = afterFailure(control, registered, baseline, name);
    List<String> done = new ArrayList<>(r.done());
    List<String> left = new ArrayList<>(r.problems());
    boolean atomic =
        target.dialect().transactionalDdl()
            || waited.map(SessionWaits.Wait::beforeChanges).orElse(false)
            || target.dialect().sessionWaits().endedAtServerLockLimit(failure);
    List<SqlStatement> statements = statements(failed.get());
    Optional<String> notAtomic = notProvablyAtomic(statements);
    boolean rolledBack =
        target.dialect().transactionalDdl()
            && failure instanceof MigrationEngine.MigrationFailure m
            && engine.failedInTransaction(m);
    if (atomic && statements.size() == 1 && notAtomic.isPresent() && !rolledBack) {
      // G7: a procedure, a block or a routine can commit part of its work before it fails (MariaDB
      // commits each DDL with the row changes before it; PostgreSQL's COMMIT in a procedure or DO
      // outside a transaction): that the server undid the failing statement or that a lock wait was
      // cancelled does not say the rest is gone. The failed entry stays, so no new run applies it
      // again on top of what it left.
      left.add(
          name
              + " may have left changes: "
              + notAtomic.get()
              + ", which can commit part of its work before it fails, so prodguard cannot tell"
              + " that nothing of it remains. Its failed entry stays in the schema history, so"
              + " no run applies it again: check what it changed and undo or complete that by"
              + " hand, then from CI 'prodguard repair "
              + address
              + " --reason \"...\"' removes the entry");
    }
    boolean alone = atomic && left.isEmpty() && statements.size() == 1 && notAtomic.isEmpty();
    if (alone) {
      // Whatever else of it is left is in r.deferred(): the next deploy drops it before it
      // migrates.
      try {
        if (engine.forgetFailed(files, registered, failed.get().file().relativePath())) {
          done.add(
              "removed the failed entry of "
                  + name
                  + " from the schema history, so that a new run applies it again");
        }
      } catch (RuntimeException e) {
        left.add(
            "could not remove the failed entry of "
                + name
                + " from the schema history: "
                + e.getMessage());
      }
    }
    if (done.isEmpty() && r.deferred().isEmpty() && left.isEmpty()) {
      return Outcome.NONE;
    }
    boolean nothingLeft = alone && left.isEmpty();
    StringBuilder account = new StringBuilder("\nClean-up (audited):");
    for (String d : done) {
      account.append("\n- ").append(d);
    }
    for (String d : r.deferred()) {
      account.append("\n- NOT YET: ").append(d);
    }
    for (String l : left) {
      account.append("\n- NOT DONE: ").append(l);
    }
    if (nothingLeft) {
      account
          .append("\nNothing ")
          .append(r.deferred().isEmpty() ? "" : "else ")
          .append("of ")
          .append(name)
          .append(" remains in the database.");
    }
    return new Outcome(account.toString(), nothingLeft, done, r.deferred(), left);
  }

  /** The baseline a deploy records before it migrates; empty where the server needs none. */
  Optional<InvalidIndexes.Baseline> baseline(Connection c) throws SQLException {
    return indexes.isPresent() ? Optional.of(indexes.get().baseline(c)) : Optional.empty();
  }

  static Map<String, Object> baselineJson(InvalidIndexes.Baseline b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("xid", b.xid());
    m.put("invalid_before", b.invalidBefore());
    return m;
  }

  /** The baseline recorded in a run's receipt, if any. */
  static Optional<InvalidIndexes.Baseline> baselineOf(Run run) {
    if (run.receipt().isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode b = JSON.readTree(run.receipt().get()).path("index_baseline");
      if (!b.path("xid").canConvertToLong()) {
        return Optional.empty();
      }
      List<Long> before = new ArrayList<>();
      b.path("invalid_before").forEach(n -> before.add(n.asLong()));
      return Optional.of(new InvalidIndexes.Baseline(b.path("xid").asLong(), before));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Every invalid index, with the failed run that left it where a recorded baseline says so. */
  List<LeftoverIndex> invalidIndexes(Connection c, RunStore store, String env) throws SQLException {
    if (indexes.isEmpty()) {
      return List.of();
    }
    List<InvalidIndexes.Index> all = indexes.get().invalid(c);
    if (all.isEmpty()) {
      return List.of();
    }
    Map<Long, String> leftBy = new LinkedHashMap<>();
    if (store.exists()) {
      for (Run r : failedSinceLastDeploy(store, env)) {
        Optional<InvalidIndexes.Baseline> b = baselineOf(r);
        if (b.isPresent()) {
          for (InvalidIndexes.Index i : indexes.get().createdSince(c, b.get())) {
            leftBy.putIfAbsent(i.oid(), r.id());
          }
        }
      }
    }
    List<LeftoverIndex> out = new ArrayList<>();
    for (InvalidIndexes.Index i : all) {
      out.add(new LeftoverIndex(i, Optional.ofNullable(leftBy.get(i.oid()))));
    }
    return out;
  }

  /** Whether this server can leave anything to clean up (PostgreSQL). */
  boolean applies() {
    return indexes.isPresent();
  }

  /**
   * Before a deploy migrates: drops the invalid indexes that runs which failed since the last
   * successful deploy left (their process was killed, or their own clean-up could not finish),
   * waiting up to the bound for each lock. Reads on {@code control}; connects through {@code
   * registered} only when there is a drop to do. What cannot be dropped is a problem.
   */
  Report afterFailedRuns(Connection control, DataSource registered, RunStore store, String env)
      throws SQLException {
    if (indexes.isEmpty()) {
      return Report.NONE;
    }
    List<String> done = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Run r : failedSinceLastDeploy(store, env)) {
      Optional<InvalidIndexes.Baseline> b = baselineOf(r);
      if (b.isPresent()) {
        drop(control, registered, b.get(), bound, "left by failed run " + r.id(), done, problems);
      }
    }
    return new Report(done, List.of(), problems);
  }

  /**
   * After this deploy's migration {@code failed} failed: drops what it left since the baseline,
   * waiting at most {@link #AFTER_FAILURE_WAIT} (the session that blocked the migration often
   * blocks the drop too). What cannot be dropped now is deferred: the baseline stays in the failed
   * run's receipt, so the next deploy drops it before it migrates.
   */
  private Report afterFailure(
      Connection control,
      DataSource registered,
      Optional<InvalidIndexes.Baseline> baseline,
      String failed) {
    if (indexes.isEmpty() || baseline.isEmpty()) {
      return Report.NONE;
    }
    List<String> done = new ArrayList<>();
    List<String> notNow = new ArrayList<>();
    Duration wait = bound.compareTo(AFTER_FAILURE_WAIT) < 0 ? bound : AFTER_FAILURE_WAIT;
    try {
      drop(control, registered, baseline.get(), wait, "left by the failed " + failed, done, notNow);
    } catch (SQLException e) {
      return new Report(
          done,
          List.of(),
          List.of(
              "could not look for what the failed "
                  + failed
                  + " left (invalid indexes): "
                  + e.getMessage()
                  + "; prodguard status lists them"));
    }
    List<String> deferred = new ArrayList<>();
    for (String n : notNow) {
      deferred.add(n + "; the next deploy drops it before it migrates");
    }
    return new Report(done, deferred, List.of());
  }

  private void drop(
      Connection control,
      DataSource registered,
      InvalidIndexes.Baseline baseline,
      Duration wait,
      String why,
      List<String> done,
      List<String> failed)
      throws SQLException {
    InvalidIndexes ix = indexes.orElseThrow();
    List<InvalidIndexes.Index> found = ix.createdSince(control, baseline);
    long deadline = System.nanoTime() + wait.toNanos();
    while (found.stream().anyMatch(InvalidIndexes.Index::building)
        && System.nanoTime() < deadline) {
      try {
        Thread.sleep(BUILD_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while waiting for an index build to end", e);
      }
      found = ix.createdSince(control, baseline);
    }
    if (found.isEmpty()) {
      return;
    }
    Connection c;
    try {
      c = registered.getConnection();
    } catch (SQLException e) {
      for (InvalidIndexes.Index i : found) {
        failed.add(notDropped(i, why, "no connection: " + e.getMessage(), ix.dropSql(i)));
      }
      return;
    }
    try (c) {
      for (InvalidIndexes.Index i : found) {
        String sql = ix.dropSql(i);
        if (i.building()) {
          failed.add(
              notDropped(i, why, "an index build still works on it after " + seconds(wait), sql));
          continue;
        }
        try {
          ix.drop(c, i, wait);
          done.add("dropped the invalid index " + i.label() + " (" + why + "): " + sql);
        } catch (SQLException e) {
          failed.add(notDropped(i, why, e.getMessage(), sql));
        }
      }
    }
  }

  private static String notDropped(InvalidIndexes.Index i, String why, String cause, String sql) {
    return "could not drop the invalid index "
        + i.label()
        + " ("
        + why
        + "): "
        + cause
        + "; to drop it by hand: "
        + sql;
  }

  private static String seconds(Duration d) {
    return DeployWatchdog.seconds(d);
  }

  private static List<Run> failedSinceLastDeploy(RunStore store, String env) throws SQLException {
    List<Run> out = new ArrayList<>();
    for (Run r : store.recent(env, 50)) {
      if (r.status() == RunStatus.DEPLOYED) {
        break;
      }
      if (r.status() == RunStatus.FAILED) {
        out.add(r);
      }
    }
    return out;
  }

  /** The statements of the failed migration, as the server runs them. */
  private List<SqlStatement> statements(PendingMigration m) {
    String text = new String(m.file().bytes(), StandardCharsets.UTF_8);
    return new Splitter(SqlSyntax.of(target.dialect().kind()))
        .split(new SourceFile(m.file().relativePath(), text));
  }

  /**
   * Why the failed migration's statements are not provably atomic, or empty when they are one
   * statement of its own (DDL or a row change), which the server undoes as a whole, so that once
   * its leftovers are gone nothing of it remains (only a concurrent index build leaves debris).
   * Anything else fails closed: a {@code CALL}, a {@code DO} or {@code BEGIN NOT ATOMIC} block, a
   * statement that runs a routine's body, dynamic SQL, transaction control, or a statement
   * prodguard cannot read.
   */
  private Optional<String> notProvablyAtomic(List<SqlStatement> statements) {
    if (statements.size() != 1) {
      return Optional.of(statements.size() + " statements");
    }
    return PartialMigration.mayCommitPart(target.dialect().kind(), statements.get(0));
  }
}
