package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.DatabaseSupport;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

      Process deploy = KilledDeploy.start(f);
      try {
        KilledDeploy.await(
            "the child's migration to be sleeping",
            () -> KilledDeploy.sleeping(f),
            () -> deploy.isAlive() ? "" : "the deploy process exited: " + "(see deploy.log)");
        assertThat(f.run(id).status()).isEqualTo(RunStatus.DEPLOYING);
        deploy.destroyForcibly(); // SIGKILL
        assertThat(deploy.waitFor(30, TimeUnit.SECONDS)).isTrue();
      } finally {
        deploy.destroyForcibly();
      }

      DatabaseSupport d = DatabaseSupport.of(kind);
      KilledDeploy.await(
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
        KilledDeploy.await(
            "the killed deploy's migration to be rolled back",
            () -> !KilledDeploy.sleeping(f),
            () -> "");
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
}
