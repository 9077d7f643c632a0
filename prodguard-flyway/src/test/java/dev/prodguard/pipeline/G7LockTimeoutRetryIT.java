package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipeline.lock-timeout}, {@code lock-retries} and {@code statement-timeout} on real
 * servers, with a real lock held by another connection: a migration that gives up waiting for the
 * lock is run again a bounded number of times, each retry audited (G10) and shown; one that keeps
 * waiting fails after the last retry with nothing of it left; a statement over its time is ended by
 * the server. Without the settings (issue 14) the deploy waited up to {@code lock-wait-timeout}
 * (minutes) and then failed.
 */
@DisplayName("G7 lock timeouts: bounded, audited retries of a migration that waited for a lock")
class G7LockTimeoutRetryIT {
  @TempDir Path dir;

  private static void pipelineSettings(PipelineFixture f, String settings) throws Exception {
    Path yml = f.dir.resolve("prodguard.yml");
    String text = Files.readString(yml);
    String old = "pipeline: { verification-ttl: 30m, backup-ttl: 60m }";
    assertThat(text).contains(old);
    Files.writeString(
        yml,
        text.replace(
            old, "pipeline: { verification-ttl: 30m, backup-ttl: 60m, " + settings + " }"));
  }

  /** Another session holds a lock on items (a long transaction that read it) until released. */
  private static final class Holder implements AutoCloseable {
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final Thread thread;

    Holder(PipelineFixture f, String lockSql) {
      thread =
          new Thread(
              () -> {
                try (Connection c = f.db.connect();
                    Statement st = c.createStatement()) {
                  c.setAutoCommit(false);
                  st.execute(lockSql);
                  held.countDown();
                  release.await(60, TimeUnit.SECONDS);
                  c.rollback();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      thread.start();
    }

    void awaitHeld() throws InterruptedException {
      assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Ends the holding transaction {@code millis} from now, on the thread it returns. */
    Thread releaseAfter(long millis) {
      Thread t =
          new Thread(
              () -> {
                try {
                  Thread.sleep(millis);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                release.countDown();
              });
      t.start();
      return t;
    }

    @Override
    public void close() {
      release.countDown();
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** What the deploy showed: waits and each migration's start and end. */
  private static final class Shown implements Progress {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void waiting(String message) {
      lines.add("waiting: " + message);
    }

    @Override
    public void migrating(String migration) {
      lines.add("started: " + migration);
    }

    @Override
    public void migrated(String migration, long millis, boolean applied) {
      lines.add((applied ? "applied: " : "failed: ") + migration);
    }
  }

  private static long retriesAudited(PipelineFixture f) {
    return Long.parseLong(
        f.query("SELECT COUNT(*) FROM prodguard_audit WHERE outcome = 'lock_timeout_retry'")
            .orElseThrow());
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: pipeline.lock-timeout does not cancel CREATE INDEX CONCURRENTLY's normal"
          + " wait for an older transaction, and the wait names both limits")
  void concurrentIndexWaitsForOlderTransactions() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      pipelineSettings(f, "lock-timeout: 500ms");
      f.migration(
          "V2__items_name.sql", "CREATE INDEX CONCURRENTLY items_name_idx ON items (name);\n");
      f.migration("V2__items_name.sql.conf", "executeInTransaction=false\n");
      Shown shown = new Shown();
      try (Holder h = new Holder(f, "SELECT count(*) FROM items")) {
        h.awaitHeld();
        h.releaseAfter(3500);
        Results.Promote p = f.pipeline().progress(shown).promote("prod");
        assertThat(p.deploy().orElseThrow().applied()).hasSize(1);
      }
      assertThat(
              f.query(
                  "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                      + " WHERE c.relname = 'items_name_idx'"))
          .contains("t");
      assertThat(shown.lines)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith("waiting: ")
                      .contains("500 ms (pipeline.lock-timeout) in a migration that runs in a")
                      .contains("(pipeline.lock-wait-timeout) otherwise"));
      // A transactional migration keeps the limit: lock_timeout is back on the session.
      f.migration("V3__items_note.sql", "ALTER TABLE items ADD COLUMN note text;\n");
      try (Holder h = new Holder(f, "SELECT count(*) FROM items")) {
        h.awaitHeld();
        assertThat(catchThrowable(() -> f.pipeline().promote("prod")))
            .hasMessageContaining("lock timeout");
      }
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: a migration that hits lock_timeout while another session holds the table is"
          + " retried, each retry audited, and applied once the lock is gone")
  void retriedUntilTheLockIsGone() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      pipelineSettings(f, "lock-timeout: 300ms, lock-retries: 5");
      f.migration("V2__items_note.sql", "ALTER TABLE items ADD COLUMN note text;\n");
      Shown shown = new Shown();
      try (Holder h = new Holder(f, "SELECT count(*) FROM items")) {
        h.awaitHeld();
        h.releaseAfter(2000);
        Results.Promote p = f.pipeline().progress(shown).promote("prod");
        assertThat(p.deploy().orElseThrow().applied()).hasSize(1);
      }
      long retries = retriesAudited(f);
      assertThat(retries).isBetween(1L, 5L);
      assertThat(
              f.query("SELECT details FROM prodguard_audit WHERE outcome = 'lock_timeout_retry'"))
          .hasValueSatisfying(d -> assertThat(d).contains("V2 items note", "\"retry\""));
      assertThat(shown.lines)
          .anyMatch(l -> l.startsWith("waiting: V2 items note gave up waiting for a lock"))
          .contains("started: V2 items note", "applied: V2 items note");
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'items' AND"
                      + " column_name = 'note'"))
          .contains("1");
      assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2'"))
          .contains("1");
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: no retry when a callback runs outside the migration's transaction: a"
          + " beforeMigrate.sql data fix would run again on every attempt (it did, once per retry;"
          + " on an unprotected environment: on a protected one every-migrate-callback-write"
          + " refuses it first)")
  void noRetryOverCallbacksThatCommitted() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.create(DatabaseKind.POSTGRESQL, dir, "staging", false, false)) {
      f.migration(
          "V2__accounts.sql",
          "CREATE TABLE accounts (id int PRIMARY KEY, balance int);\n"
              + "INSERT INTO accounts VALUES (1, 100);\n");
      f.pipeline().promote("staging");
      pipelineSettings(f, "lock-timeout: 300ms, lock-retries: 3");
      f.migration(
          "beforeMigrate__interest.sql",
          "UPDATE accounts SET balance = balance + 10 WHERE id = 1;\n");
      f.migration("V3__items_note.sql", "ALTER TABLE items ADD COLUMN note text;\n");
      Throwable failed;
      try (Holder h = new Holder(f, "SELECT count(*) FROM items")) {
        h.awaitHeld();
        Thread releaser = h.releaseAfter(2500);
        failed = catchThrowable(() -> f.pipeline().promote("staging"));
        releaser.join();
      }
      assertThat(failed)
          .isInstanceOf(DeployFailure.class)
          .hasMessageContaining("not retried")
          .hasMessageContaining("beforeMigrate__interest.sql");
      assertThat(retriesAudited(f)).isZero();
      assertThat(f.query("SELECT balance FROM accounts WHERE id = 1"))
          .as("the callback ran once, in the one attempt")
          .contains("110");
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: a lock that is never released fails the deploy after lock-retries retries,"
          + " all audited, and nothing of the migration remains")
  void givesUpAfterTheLastRetry() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      pipelineSettings(f, "lock-timeout: 200ms, lock-retries: 1");
      f.migration("V2__items_note.sql", "ALTER TABLE items ADD COLUMN note text;\n");
      Throwable failed;
      long started = System.nanoTime();
      try (Holder h = new Holder(f, "SELECT count(*) FROM items")) {
        h.awaitHeld();
        failed = catchThrowable(() -> f.pipeline().promote("prod"));
      }
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(30);
      assertThat(failed)
          .isInstanceOf(DeployFailure.class)
          .hasMessageContaining("lock timeout")
          // NU27/05, /07: prodguard's own sentence names both bounds and the retries
          .hasMessageContaining(
              "failed: a statement waited for a lock longer than pipeline.lock-timeout (200 ms)")
          .hasMessageContaining("gave up after 1 retry (pipeline.lock-retries: 1)")
          .hasMessageContaining("pipeline.statement-timeout, not set,");
      assertThat(retriesAudited(f)).isEqualTo(1);
      assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2'"))
          .contains("0");
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: statement-timeout ends a migration statement that runs too long; it is not"
          + " retried (it did not wait for a lock)")
  void statementTimeout() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      pipelineSettings(f, "lock-timeout: 5s, statement-timeout: 500ms");
      f.migration("V2__slow.sql", "SELECT pg_sleep(5);\n");
      long started = System.nanoTime();
      Throwable failed = catchThrowable(() -> f.pipeline().promote("prod"));
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(30);
      assertThat(failed)
          .isInstanceOf(DeployFailure.class)
          .hasMessageContaining("statement timeout")
          // named as the bound it is, not as a lost connection; the transaction rolled back
          .hasMessageContaining("ran longer than pipeline.statement-timeout (500 ms)")
          .hasMessageContaining("Nothing of the failed migration remains")
          .hasMessageNotContaining("connection to the database was lost")
          .hasMessageNotContaining("restore the backup");
      assertThat(retriesAudited(f)).isZero();
    }
  }

  @Test
  @DisplayName(
      "G7: MariaDB: statement-timeout (max_statement_time) ends a migration statement that runs"
          + " too long; the failure names pipeline.statement-timeout")
  void mariaDbStatementTimeout() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      pipelineSettings(f, "statement-timeout: 500ms");
      f.migration("V2__slow.sql", f.sleepSql(5) + "\n");
      long started = System.nanoTime();
      Throwable failed = catchThrowable(() -> f.pipeline().promote("prod"));
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(30);
      assertThat(failed)
          .isInstanceOf(DeployFailure.class)
          .hasMessageContaining("max_statement_time")
          .hasMessageContaining("ran longer than pipeline.statement-timeout (500 ms)")
          .hasMessageNotContaining("connection to the database was lost");
    }
  }

  @Test
  @DisplayName(
      "G7: MariaDB: lock-timeout bounds a migration's wait for a metadata lock held by another"
          + " session (lock_wait_timeout); DDL commits on its own there, so it is not retried")
  void mariaDbLockWaitTimeout() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      pipelineSettings(f, "lock-timeout: 1s, lock-retries: 3");
      f.migration("V2__items_note.sql", "ALTER TABLE items ADD COLUMN note VARCHAR(20);\n");
      long started = System.nanoTime();
      Throwable failed;
      try (Holder h = new Holder(f, "SELECT COUNT(*) FROM items")) {
        h.awaitHeld();
        failed = catchThrowable(() -> f.pipeline().promote("prod"));
      }
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(30);
      assertThat(failed)
          .isInstanceOf(DeployFailure.class)
          .hasMessageContaining("Lock wait timeout")
          // NU27/09: named as the bound it is, with the reason it is not retried
          .hasMessageContaining("longer than pipeline.lock-timeout (1000 ms)")
          .hasMessageContaining("not run again: DDL commits on its own on MySQL/MariaDB")
          .hasMessageContaining("pipeline.statement-timeout, not set,");
      assertThat(retriesAudited(f)).isZero();
    }
  }

  /**
   * A procedure that exists on the target (created outside the migrations, so lint sees an opaque
   * CALL, covered by contract exceptions): it records its call in call_log, then adds a column to
   * items, which waits for the metadata lock the test's Holder keeps. MariaDB commits the row
   * before it runs the DDL. Made by hand after the first deploy, and accepted as drift (G7).
   */
  private static void procedureThatCommitsPart(PipelineFixture f) throws Exception {
    f.pipeline().promote("prod");
    f.db.execute(
        "CREATE TABLE call_log (called_at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))",
        "CREATE PROCEDURE note_and_widen() BEGIN INSERT INTO call_log () VALUES ();"
            + " ALTER TABLE items ADD COLUMN note VARCHAR(20); END");
    Files.writeString(
        f.dir.resolve("prodguard-contract.yml"),
        """
        version: 1
        exceptions:
          - { migration: V2, rule: transaction-control, reason: "reviewed: note_and_widen() records its call, then adds items.note" }
          - { migration: V2, rule: dynamic-sql, reason: "reviewed: note_and_widen() records its call, then adds items.note" }
        """);
    f.pipeline().driftAccept("prod", "note_and_widen() and call_log, reviewed");
  }

  private static String calls(PipelineFixture f) {
    return f.query("SELECT COUNT(*) FROM call_log").orElseThrow();
  }

  @Test
  @DisplayName(
      "G7: MariaDB: a CALL whose procedure committed a row before its DDL hit lock-timeout may have"
          + " left changes: its failed entry stays and no run applies it again (it was forgotten"
          + " as 'nothing remains', and the next run called the procedure a second time)")
  void mariaDbCallThatCommittedPartIsNotRerun() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      procedureThatCommitsPart(f);
      pipelineSettings(f, "lock-timeout: 1s, lock-retries: 3");
      f.migration("V2__note_and_widen.sql", "CALL note_and_widen();\n");
      Throwable failed;
      try (Holder h = new Holder(f, "SELECT COUNT(*) FROM items")) {
        h.awaitHeld();
        failed = catchThrowable(() -> f.pipeline().promote("prod"));
      }
      assertThat(failed)
          .isInstanceOf(DeployFailure.class)
          .hasMessageContaining("Lock wait timeout")
          .hasMessageContaining("V2__note_and_widen.sql may have left changes")
          .hasMessageContaining("CALL of note_and_widen")
          .hasMessageContaining("from CI 'prodguard repair prod --reason")
          .hasMessageNotContaining("repair ENV")
          .hasMessageNotContaining("Nothing of V2__note_and_widen.sql remains");
      assertThat(retriesAudited(f)).isZero();
      assertThat(calls(f)).as("the procedure committed its row").isEqualTo("1");
      assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2'"))
          .as("the failed entry stays")
          .contains("1");

      // the lock is gone: a new run must not call the procedure again on top of what it left
      Throwable again = catchThrowable(() -> f.pipeline().promote("prod"));
      assertThat(again).as("the failed entry refuses a new run until it is repaired").isNotNull();
      assertThat(calls(f)).as("the procedure ran once").isEqualTo("1");
    }
  }

  @Test
  @DisplayName(
      "G7: MariaDB: the watchdog's cancel of a CALL that waits for a metadata lock after its"
          + " procedure committed a row does not make it 'nothing remains': no run applies it again")
  void mariaDbWatchdogCancelOfACallIsNotRerun() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      procedureThatCommitsPart(f);
      pipelineSettings(f, "lock-wait-timeout: 3s");
      f.migration("V2__note_and_widen.sql", "CALL note_and_widen();\n");
      Throwable failed;
      try (Holder h = new Holder(f, "SELECT COUNT(*) FROM items")) {
        h.awaitHeld();
        failed = catchThrowable(() -> f.pipeline().promote("prod"));
      }
      assertThat(failed)
          .isInstanceOf(dev.prodguard.db.GuardRefusal.class)
          .hasMessageContaining("KILL QUERY ID")
          .hasMessageContaining("V2__note_and_widen.sql may have left changes")
          .hasMessageNotContaining("removed the failed entry");
      assertThat(calls(f)).as("the procedure committed its row").isEqualTo("1");

      Throwable again = catchThrowable(() -> f.pipeline().promote("prod"));
      assertThat(again).as("the failed entry refuses a new run until it is repaired").isNotNull();
      assertThat(calls(f)).as("the procedure ran once").isEqualTo("1");
    }
  }
}
