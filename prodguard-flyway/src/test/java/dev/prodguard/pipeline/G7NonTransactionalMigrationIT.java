package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G7 for statements that PostgreSQL runs outside a transaction and that wait for older transactions
 * ({@code CREATE INDEX CONCURRENTLY} and its kin), and for deploys that wait for another session at
 * all, on real PostgreSQL and MariaDB: they deploy in seconds, a wait is shown and bounded by
 * {@code pipeline.lock-wait-timeout}, and a failed, cancelled or killed one leaves a state that a
 * new run deploys again. Every deploy runs under a bound of its own, so a deploy that hangs fails
 * the test instead of the build.
 */
@DisplayName("G7 statements outside a transaction, and deploys that wait")
class G7NonTransactionalMigrationIT {
  /** Far above what any of these deploys needs; only a hanging deploy reaches it. */
  private static final Duration HANG = Duration.ofSeconds(90);

  private static final String V1_T =
      "CREATE TABLE t (id int PRIMARY KEY, v text);"
          + " INSERT INTO t SELECT g, g::text FROM generate_series(1,20000) g;";

  @TempDir Path dir;

  @Test
  @DisplayName(
      "G7: the issue's CREATE INDEX CONCURRENTLY (V2 after V1) deploys through promote in seconds,"
          + " and the index is valid")
  void createIndexConcurrently() throws Exception {
    try (PipelineFixture f = withTableT()) {
      f.migration("V2__t_v.sql", "CREATE INDEX CONCURRENTLY t_v ON t (v);\n");

      bounded(() -> f.pipeline().promote("prod"));

      assertThat(
              f.query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_v'::regclass"))
          .contains("true");
      assertThat(historyRows(f, "2")).isEqualTo("1 success");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "DROP INDEX CONCURRENTLY t_old",
        "REINDEX INDEX CONCURRENTLY t_old",
        "REINDEX TABLE CONCURRENTLY t",
        "ALTER TABLE p DETACH PARTITION p2 CONCURRENTLY",
      })
  @DisplayName("G7: every statement that waits for older transactions deploys in seconds")
  void othersThatWaitForOlderTransactions(String statement) throws Exception {
    try (PipelineFixture f = withTableT()) {
      f.migration(
          "V2__setup.sql",
          "CREATE INDEX t_old ON t (v);\n"
              + "CREATE TABLE p (id int NOT NULL, v text) PARTITION BY RANGE (id);\n"
              + "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (100);\n"
              + "CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (100) TO (200);\n"
              + "INSERT INTO p SELECT g, g::text FROM generate_series(0, 199) g;\n");
      f.pipeline().promote("prod");
      f.migration("V3__concurrently.sql", statement + ";\n");
      outsideATransactionIfFlywayCannotTell(f, "V3__concurrently.sql", statement);

      bounded(() -> f.pipeline().promote("prod"));

      assertThat(historyRows(f, "3")).isEqualTo("1 success");
      assertThat(f.query("SELECT COUNT(*) FROM pg_index WHERE NOT indisvalid")).contains("0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "CREATE INDEX CONCURRENTLY t_v ON t (v)",
        "REINDEX TABLE CONCURRENTLY t",
        "ALTER TABLE t ADD COLUMN w int",
      })
  @DisplayName(
      "G7: a deploy blocked by another session's open transaction shows what it waits for, gives"
          + " up at pipeline.lock-wait-timeout, leaves a clean state, and a new run deploys it")
  void blockedByAnOpenTransaction(String statement) throws Exception {
    try (PipelineFixture f = withTableT()) {
      lockWaitTimeout(f, "5s");
      f.migration("V2__blocked.sql", statement + ";\n");
      outsideATransactionIfFlywayCannotTell(f, "V2__blocked.sql", statement);
      List<String> waits = Collections.synchronizedList(new ArrayList<>());
      List<String> idleInTransaction = Collections.synchronizedList(new ArrayList<>());
      GuardRefusal refused;
      String blockerPid;
      try (Connection blocker = f.db.connect()) {
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
          // A snapshot held open (what CONCURRENTLY waits for) and a lock on t (what ALTER waits
          // for): an application's forgotten transaction.
          st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
          st.execute("SET application_name = 'forgotten-report'");
          st.executeQuery("SELECT COUNT(*) FROM t").close();
          blockerPid = pid(st);
        }
        Progress progress =
            new Progress() {
              @Override
              public void waiting(String message) {
                if (waits.isEmpty()) {
                  idleInTransaction.addAll(idleInTransaction(f));
                }
                waits.add(message);
              }
            };

        Throwable t = failure(() -> f.pipeline().progress(progress).promote("prod"));
        assertThat(t).isInstanceOf(GuardRefusal.class);
        refused = (GuardRefusal) t;
        blocker.rollback();
      }

      assertThat(refused.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(refused.why())
          .contains(
              "V2__blocked.sql waited",
              "pipeline.lock-wait-timeout 5 s",
              "held by pid " + blockerPid,
              "application 'forgotten-report'",
              "idle in transaction",
              "prodguard cancelled the statement (SELECT pg_cancel_backend(",
              "is now 'failed'");
      assertThat(refused.fix())
          .contains("SELECT pg_terminate_backend(" + blockerPid + ")", "prodguard verify prod")
          // NU27/05: the other bounds of the migration sessions, by their keys
          .contains("pipeline.lock-timeout, not set,", "pipeline.statement-timeout, not set,");
      assertThat(waits)
          .as("progress lines while it waits")
          .anySatisfy(
              w ->
                  assertThat(w)
                      .contains("V2__blocked.sql waiting", "held by pid " + blockerPid)
                      .contains("giving up at 5 s"));
      assertThat(idleInTransaction)
          .as("while the migration ran, no connection but the blocker was idle in a transaction")
          .containsExactly(blockerPid);
      // A clear state: the history does not record V2, the run failed, and what V2's build left
      // (the blocker also blocks dropping it) is named and dropped by the next deploy.
      assertThat(historyRows(f, "2")).isEqualTo("0 rows");
      Results.Status status = f.pipeline().status("prod");
      Run failed = status.lastDeploys().get(0);
      assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
      assertThat(audited(f, failed, "wait_cancelled")).isEqualTo("1");
      if (statement.contains("CONCURRENTLY")) {
        assertThat(refused.why())
            .contains(
                "Clean-up (audited)",
                "removed the failed entry of V2__blocked.sql from the schema history",
                "NOT YET: could not drop the invalid index public.",
                "DROP INDEX CONCURRENTLY IF EXISTS",
                "the next deploy drops it before it migrates",
                "Nothing else of V2__blocked.sql remains");
        assertThat(status.invalidIndexes()).isNotEmpty();
        assertThat(status.invalidIndexes())
            .allSatisfy(i -> assertThat(i.leftBy()).contains(failed.id()));
        assertThat(audited(f, failed, "cleanup_deferred")).isNotEqualTo("0");
      } else {
        assertThat(status.invalidIndexes()).isEmpty();
      }

      Results.Promote retry = bounded(() -> f.pipeline().promote("prod"));

      assertThat(historyRows(f, "2")).isEqualTo("1 success");
      assertThat(f.query("SELECT COUNT(*) FROM pg_index WHERE NOT indisvalid")).contains("0");
      if (statement.contains("CONCURRENTLY")) {
        assertThat(audited(f, retry.deploy().orElseThrow().run().orElseThrow(), "cleaned_up"))
            .isNotEqualTo("0");
      }
    }
  }

  @Test
  @DisplayName(
      "G7: a CREATE UNIQUE INDEX CONCURRENTLY that fails on duplicates leaves no invalid index and"
          + " no failed history entry; after the data is fixed a new run deploys it")
  void failedConcurrentBuildIsCleanedUp() throws Exception {
    try (PipelineFixture f = withTableT()) {
      f.db.execute("INSERT INTO t VALUES (20001, '1')");
      f.migration("V2__t_v_unique.sql", "CREATE UNIQUE INDEX CONCURRENTLY t_v_u ON t (v);\n");

      Throwable t = failure(() -> f.pipeline().promote("prod"));

      assertThat(t).isInstanceOf(DeployFailure.class);
      assertThat(t.getMessage())
          .contains(
              "could not create unique index",
              "dropped the invalid index public.t_v_u on t",
              "DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"t_v_u\"",
              "removed the failed entry of V2__t_v_unique.sql",
              "Nothing of V2__t_v_unique.sql remains");
      assertThat(f.query("SELECT to_regclass('t_v_u')::text")).isEmpty();
      assertThat(historyRows(f, "2")).isEqualTo("0 rows");

      f.db.execute("DELETE FROM t WHERE id = 20001");
      bounded(() -> f.pipeline().promote("prod"));

      assertThat(
              f.query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_v_u'::regclass"))
          .contains("true");
    }
  }

  @Test
  @DisplayName(
      "G7: a deploy killed with SIGKILL while CREATE INDEX CONCURRENTLY runs: status names the"
          + " invalid index and the failed run, and the retry drops it (audited) and deploys")
  void killedMidBuild() throws Exception {
    try (PipelineFixture f = withTableT()) {
      f.migration("V2__t_v.sql", "CREATE INDEX CONCURRENTLY t_v ON t (v);\n");
      String id = f.pipeline().verify("prod").run().orElseThrow().id();
      f.pipeline().backup("prod", Optional.empty());
      Process deploy;
      try (Connection blocker = f.db.connect()) {
        // Holds the build in its last phase (waiting for older snapshots), so the kill lands
        // while it runs.
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
          st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
          st.executeQuery("SELECT COUNT(*) FROM t").close();
        }
        deploy = KilledDeploy.start(f);
        try {
          await(
              "the child's CREATE INDEX CONCURRENTLY to wait",
              () -> building(f),
              () -> deploy.isAlive() ? "" : "the deploy exited: " + log(f));
          deploy.destroyForcibly(); // SIGKILL
          assertThat(deploy.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
          deploy.destroyForcibly();
        }
        await("the server to end the orphaned build", () -> !building(f), () -> "");
        blocker.rollback();
      }
      assertThat(
              f.query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_v'::regclass"))
          .as("the killed build left an invalid index")
          .contains("false");
      assertThat(historyRows(f, "2")).isEqualTo("0 rows");

      Results.Status status = f.pipeline().status("prod");

      assertThat(status.markedFailed()).extracting(Run::id).containsExactly(id);
      assertThat(status.invalidIndexes()).hasSize(1);
      LeftoverIndex left = status.invalidIndexes().get(0);
      assertThat(left.index().name()).isEqualTo("t_v");
      assertThat(left.leftBy()).contains(id);
      assertThat(left.describe()).contains("left by failed run " + id, "the next deploy drops it");

      Results.Promote retry = bounded(() -> f.pipeline().promote("prod"));

      assertThat(retry.verify().invalidIndexes())
          .extracting(i -> i.leftBy())
          .containsExactly(Optional.of(id));
      assertThat(
              f.query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_v'::regclass"))
          .contains("true");
      assertThat(historyRows(f, "2")).isEqualTo("1 success");
      assertThat(
              f.query(
                  "SELECT details FROM prodguard_audit WHERE outcome = 'cleaned_up' AND run_id = '"
                      + retry.deploy().orElseThrow().run().orElseThrow().id()
                      + "'"))
          .hasValueSatisfying(
              d -> assertThat(d).contains("dropped the invalid index public.t_v", id));
      assertThat(f.pipeline().status("prod").invalidIndexes()).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "G7: on MariaDB a migration blocked by another session's metadata lock fails at"
          + " pipeline.lock-wait-timeout naming the blocker, and a new run deploys it")
  void mariaDbMetadataLock() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      lockWaitTimeout(f, "5s");
      f.migration("V2__add_x.sql", "ALTER TABLE items ADD COLUMN x INT;\n");
      List<String> waits = Collections.synchronizedList(new ArrayList<>());
      GuardRefusal refused;
      String blockerId;
      try (Connection blocker = f.db.connect()) {
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
          st.executeQuery("SELECT COUNT(*) FROM items").close();
          try (ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            blockerId = rs.getString(1);
          }
        }
        Progress progress =
            new Progress() {
              @Override
              public void waiting(String message) {
                waits.add(message);
              }
            };

        Throwable t = failure(() -> f.pipeline().progress(progress).promote("prod"));
        assertThat(t).isInstanceOf(GuardRefusal.class);
        refused = (GuardRefusal) t;
        blocker.rollback();
      }

      assertThat(refused.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(refused.why())
          .contains(
              "V2__add_x.sql waited",
              "Waiting for table metadata lock",
              "connection " + blockerId,
              "idle in transaction",
              "KILL QUERY ID",
              "removed the failed entry of V2__add_x.sql");
      assertThat(refused.fix()).contains("KILL " + blockerId);
      assertThat(waits).anySatisfy(w -> assertThat(w).contains("connection " + blockerId));
      assertThat(historyRows(f, "2")).isEqualTo("0 rows");

      bounded(() -> f.pipeline().promote("prod"));

      assertThat(historyRows(f, "2")).isEqualTo("1 success");
    }
  }

  @Test
  @DisplayName(
      "G7: on MariaDB a deploy user without the PROCESS privilege (the watchdog sees no waits) is"
          + " still bounded: a migration blocked by another session's metadata lock ends with a"
          + " refusal shortly after pipeline.lock-wait-timeout, and a new run deploys it")
  void mariaDbMetadataLockWithoutProcessPrivilege() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      lockWaitTimeout(f, "3s");
      // a deploy account with every privilege on the database and none on the server (no PROCESS)
      String deployer = f.db.createUser("ALL PRIVILEGES");
      String grantee = "'" + deployer + "'@'%'";
      // mariadb-dump --routines reads the bodies of routines the account did not define
      f.db.adminStatement("GRANT SELECT ON mysql.proc TO " + grantee);
      // verify reads the grants of every account named like the url's user (G6 role split)
      f.db.adminStatement("GRANT SELECT ON mysql.* TO " + grantee);
      Map<String, String> env = f.ciEnv();
      env.put(f.deployUrlVariable(), f.db.libpqUrl(deployer));
      Pipeline asDeployer =
          f.pipeline(
              new dev.prodguard.db.RunContext(
                  env, java.time.Clock.systemUTC(), "runner", "ci-host"));
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = '"
                      + grantee.replace("'", "''")
                      + "' AND PRIVILEGE_TYPE = 'PROCESS'"))
          .contains("0");
      f.migration("V2__add_x.sql", "ALTER TABLE items ADD COLUMN x INT;\n");
      Throwable t;
      long elapsedMillis;
      try (Connection blocker = f.db.connect()) {
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
          st.executeQuery("SELECT COUNT(*) FROM items").close();
        }
        long t0 = System.nanoTime();
        t = failure(() -> asDeployer.promote("prod"));
        elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
        blocker.rollback();
      }

      assertThat(t).isInstanceOfAny(GuardRefusal.class, DeployFailure.class);
      assertThat(t.getMessage()).containsIgnoringCase("lock wait timeout");
      // verify, backup and the wait: 3 s + the server-side margin, far from an unbounded wait
      assertThat(elapsedMillis)
          .isLessThan(
              (3 + dev.prodguard.support.DatabaseSupport.BACKSTOP_MARGIN_SECONDS + 20) * 1000L);
      assertThat(historyRows(f, "2")).isEqualTo("0 rows");

      bounded(() -> asDeployer.promote("prod"));

      assertThat(historyRows(f, "2")).isEqualTo("1 success");
    }
  }

  @Test
  @DisplayName(
      "G7: a script configuration (V2__x.sql.conf) is part of the verified set: editing it after"
          + " verify refuses the deploy")
  void scriptConfigurationIsBound() throws Exception {
    try (PipelineFixture f = withTableT()) {
      f.migration("V2__reindex.sql", "REINDEX TABLE CONCURRENTLY t;\n");
      f.migration("V2__reindex.sql.conf", "executeInTransaction=false\n");
      String id = f.pipeline().verify("prod").run().orElseThrow().id();
      f.pipeline().backup("prod", Optional.empty());
      f.migration("V2__reindex.sql.conf", "executeInTransaction=false\nencoding=UTF-8\n");

      assertThatThrownBy(() -> f.pipeline().deploy("prod", Optional.empty()))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
                assertThat(r.why()).contains("not the set run " + id + " verified");
              });
      assertThat(historyRows(f, "2")).isEqualTo("0 rows");
    }
  }

  @Test
  @DisplayName(
      "G7: a script configuration with shouldExecute (open-source Flyway refuses it) is a"
          + " configuration error naming file and line, before anything runs")
  void scriptConfigurationIsStrict() throws Exception {
    try (PipelineFixture f = withTableT()) {
      f.migration("V2__skipped.sql", "CREATE INDEX t_skipped ON t (v);\n");
      f.migration("V2__skipped.sql.conf", "executeInTransaction=false\nshouldExecute=false\n");

      assertThatThrownBy(() -> f.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              dev.prodguard.config.ConfigException.class,
              e -> {
                assertThat(e.file()).endsWith("V2__skipped.sql.conf");
                assertThat(e.line()).isEqualTo(2);
                assertThat(e.key()).isEqualTo("shouldExecute");
                assertThat(e.getMessage()).contains("Flyway Teams or Enterprise");
              });
      assertThat(f.query("SELECT to_regclass('t_skipped')::text")).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "G7: a CREATE INDEX CONCURRENTLY that pipeline.statement-timeout ends says one thing: its"
          + " invalid index remains, which the next deploy drops; no backup to restore, no repair")
  void timedOutConcurrentBuildSaysWhatRemains() throws Exception {
    try (PipelineFixture f = withTableT()) {
      Path yml = f.dir.resolve("prodguard.yml");
      String before = "pipeline: { verification-ttl: 30m, backup-ttl: 60m }";
      Files.writeString(
          yml,
          Files.readString(yml)
              .replace(
                  before,
                  "pipeline: { verification-ttl: 30m, backup-ttl: 60m, statement-timeout: 3s }"));
      f.migration("V2__blocked.sql", "CREATE INDEX CONCURRENTLY t_v ON t (v);\n");
      Throwable t;
      try (Connection blocker = f.db.connect()) {
        // an open snapshot: the build waits for it until the statement timeout ends it
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
          st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
          st.executeQuery("SELECT COUNT(*) FROM t").close();
        }
        t = failure(() -> f.pipeline().promote("prod"));
        blocker.rollback();
      }
      assertThat(t).isInstanceOf(DeployFailure.class);
      assertThat(t.getMessage())
          .contains(
              "ran longer than pipeline.statement-timeout (3000 ms)",
              "removed the failed entry of V2__blocked.sql",
              "invalid index public.t_v",
              "the next deploy drops it before it migrates",
              "Of the failed migration only the invalid index(es) marked NOT YET above remain")
          .doesNotContain("restore the backup")
          .doesNotContain("failed half-way")
          .doesNotContain("prodguard repair")
          .doesNotContain("Nothing of the failed migration remains");
      assertThat(historyRows(f, "2")).isEqualTo("0 rows");
      assertThat(
              f.query("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_v'::regclass"))
          .contains("false");
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A protected PostgreSQL 'prod' whose V1 is the table t, deployed. */
  private PipelineFixture withTableT() throws Exception {
    PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    try {
      Files.delete(f.migrations.resolve("V1__items.sql"));
      f.migration("V1__t.sql", V1_T + "\n");
      f.pipeline().promote("prod");
      return f;
    } catch (Exception | Error e) {
      f.close();
      throw e;
    }
  }

  private static void lockWaitTimeout(PipelineFixture f, String value) throws Exception {
    Path yml = f.dir.resolve("prodguard.yml");
    String before = "pipeline: { verification-ttl: 30m, backup-ttl: 60m }";
    String config = Files.readString(yml);
    assertThat(config).contains(before);
    Files.writeString(
        yml,
        config.replace(
            before,
            "pipeline: { verification-ttl: 30m, backup-ttl: 60m, lock-wait-timeout: "
                + value
                + " }"));
  }

  /** Runs {@code work}, failing the test (not hanging the build) if it takes longer than HANG. */
  private static <T> T bounded(Callable<T> work) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      return pool.submit(work).get(HANG.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the deploy still runs after " + HANG.toSeconds() + " s: it hangs");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }

  /** What {@code work} threw, within HANG. */
  private static Throwable failure(Callable<?> work) {
    try {
      Object r = bounded(work);
      throw new AssertionError("expected a failure, got " + r);
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      return e;
    }
  }

  /**
   * Flyway's PostgreSQL parser knows CREATE/DROP INDEX CONCURRENTLY but not REINDEX ...
   * CONCURRENTLY or DETACH PARTITION ... CONCURRENTLY: those need Flyway's script configuration.
   */
  private static void outsideATransactionIfFlywayCannotTell(
      PipelineFixture f, String script, String statement) {
    if (statement.startsWith("REINDEX") || statement.contains("DETACH")) {
      f.migration(script + ".conf", "executeInTransaction=false\n");
    }
  }

  private static String audited(PipelineFixture f, Run run, String outcome) {
    return f.query(
            "SELECT COUNT(*) FROM prodguard_audit WHERE outcome = '"
                + outcome
                + "' AND run_id = '"
                + run.id()
                + "'")
        .orElseThrow();
  }

  /** "N success|failed" rows of the history for {@code version}, or "0 rows". */
  private static String historyRows(PipelineFixture f, String version) {
    String n =
        f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '" + version + "'")
            .orElseThrow();
    if (n.equals("0")) {
      return "0 rows";
    }
    String ok =
        f.query(
                "SELECT COUNT(*) FROM flyway_schema_history WHERE version = '"
                    + version
                    + "' AND success")
            .orElseThrow();
    return n + (ok.equals(n) ? " success" : " failed");
  }

  private static String pid(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid()::text")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<String> idleInTransaction(PipelineFixture f) {
    List<String> out = new ArrayList<>();
    try (Connection c = f.db.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pid::text FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND state LIKE 'idle in transaction%' ORDER BY pid")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (SQLException e) {
      out.add("error: " + e.getMessage());
    }
    return out;
  }

  private static boolean building(PipelineFixture f) {
    return !"0"
        .equals(
            f.query(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND query LIKE 'CREATE INDEX CONCURRENTLY%'"
                        + " AND pid <> pg_backend_pid()")
                .orElse("0"));
  }

  private static String log(PipelineFixture f) {
    try {
      return Files.readString(f.dir.resolve("deploy.log"));
    } catch (Exception e) {
      return "(no deploy.log)";
    }
  }

  /** Waits for a condition (at most two minutes): not a timing assertion, a rendezvous. */
  private static void await(
      String what, BooleanSupplier condition, java.util.function.Supplier<String> abort)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!condition.getAsBoolean()) {
      String reason = abort.get();
      if (!reason.isEmpty()) {
        throw new AssertionError("gave up waiting for " + what + ": " + reason);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
