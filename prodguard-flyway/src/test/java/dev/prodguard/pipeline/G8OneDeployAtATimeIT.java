package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.DatabaseSupport;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** G8 on real PostgreSQL and MariaDB: one deploy at a time, and no lock outlives its deploy. */
@DisplayName("G8 one deploy at a time")
class G8OneDeployAtATimeIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G8: two deploys at once: exactly one runs, the other is refused naming the holder")
  void twoDeploysAtOnce(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      String id = f.pipeline().verify("prod").run().orElseThrow().id();
      f.pipeline().backup("prod", Optional.empty());
      HeldFlywayEngine held = new HeldFlywayEngine(false);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Results.Deploy> first =
            pool.submit(() -> f.pipeline(held).deploy("prod", Optional.empty()));
        assertThat(held.inside.await(60, TimeUnit.SECONDS)).isTrue();

        GuardRefusal second =
            catchThrowableOfType(
                GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));
        GuardRefusal backup =
            catchThrowableOfType(
                GuardRefusal.class, () -> f.pipeline().backup("prod", Optional.empty()));
        Results.Status status = f.pipeline().status("prod");
        held.release.countDown();
        Results.Deploy done = first.get(60, TimeUnit.SECONDS);

        assertThat(second.guarantee()).isEqualTo(Guarantee.G8);
        assertThat(second.why()).contains("run " + id, "ci-bot", "since");
        assertThat(backup.guarantee()).isEqualTo(Guarantee.G8);
        assertThat(status.lockHolderRun().map(Run::id)).contains(id);
        assertThat(done.applied()).hasSize(1);
        assertThat(f.run(id).status()).isEqualTo(RunStatus.DEPLOYED);
        assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '1'"))
            .contains("1");
      } finally {
        held.release.countDown();
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G8: a deploy killed with SIGKILL mid-migration releases the lock, the next command marks"
          + " it failed, and on PostgreSQL the half-applied migration left no trace")
  void killedMidMigration(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__slow.sql",
          "CREATE TABLE half_applied (id INT);\n"
              + "INSERT INTO half_applied VALUES (1);\n"
              + f.sleepSql(120)
              + "\n");
      String id = f.pipeline().verify("prod").run().orElseThrow().id();
      f.pipeline().backup("prod", Optional.empty());

      Process deploy = startDeploy(f);
      try {
        await(
            "the child's migration to be sleeping",
            () -> sleeping(f),
            () -> deploy.isAlive() ? "" : "the deploy process exited: " + output(deploy));
        assertThat(f.run(id).status()).isEqualTo(RunStatus.DEPLOYING);
        deploy.destroyForcibly(); // SIGKILL
        assertThat(deploy.waitFor(30, TimeUnit.SECONDS)).isTrue();
      } finally {
        deploy.destroyForcibly();
      }

      DatabaseSupport d = DatabaseSupport.of(kind);
      await(
          "the server to release the deploy lock",
          () -> {
            try (Connection c = f.db.connect()) {
              return DeployLock.holder(c, d).isEmpty();
            } catch (Exception e) {
              return false;
            }
          },
          () -> "");
      Results.Status status = f.pipeline().status("prod");

      assertThat(status.markedFailed()).extracting(Run::id).containsExactly(id);
      Run run = f.run(id);
      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      assertThat(run.failure().orElseThrow())
          .contains("ended without finishing", run.backup().orElseThrow().path());
      try (Connection c = f.db.connect()) {
        assertThat(DeployLock.tryAcquire(c, d)).isTrue();
        DeployLock.release(c, d);
      }
      if (kind == DatabaseKind.POSTGRESQL) {
        await("the killed deploy's migration to be rolled back", () -> !sleeping(f), () -> "");
        assertThat(f.tableExists("half_applied")).isFalse();
        assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2'"))
            .contains("0");
      }
      GuardRefusal again =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.of(id)));
      assertThat(again.why()).contains(id, "failed");
    }
  }

  private static Process startDeploy(PipelineFixture f) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DeployProcess.class.getName(),
                f.dir.resolve("prodguard.yml").toString(),
                "prod")
            .redirectErrorStream(true)
            .redirectOutput(f.dir.resolve("deploy.log").toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", System.getenv("PATH"));
    env.putAll(f.ciEnv());
    return pb.start();
  }

  private static String output(Process p) {
    return "(see deploy.log)";
  }

  private static boolean sleeping(PipelineFixture f) {
    String sql =
        f.db.kind() == DatabaseKind.POSTGRESQL
            ? "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '"
                + f.db.name()
                + "' AND query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()"
            : "SELECT COUNT(*) FROM information_schema.processlist WHERE db = '"
                + f.db.name()
                + "' AND info LIKE '%SLEEP(120)%' AND id <> CONNECTION_ID()";
    return !"0".equals(f.query(sql).orElse("0"));
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
