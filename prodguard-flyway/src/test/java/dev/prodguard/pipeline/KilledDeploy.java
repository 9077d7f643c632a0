package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.DatabaseSupport;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A deploy in a process of its own ({@link DeployProcess}) killed with SIGKILL while its migration
 * sleeps ({@link PipelineFixture#sleepSql}(120)): what a cancelled CI job or a dead runner leaves.
 */
final class KilledDeploy {
  private KilledDeploy() {}

  /**
   * Deploys {@code f}'s backed-up run in a child process, kills it while the migration sleeps, and
   * waits until the server released the deploy lock and (PostgreSQL) rolled the migration back. The
   * migration must run {@code f.sleepSql(120)}.
   */
  static void killMidMigration(PipelineFixture f) throws Exception {
    Process deploy = start(f);
    try {
      await(
          "the child's migration to be sleeping",
          () -> sleeping(f),
          () -> deploy.isAlive() ? "" : "the deploy process exited (see deploy.log)");
      deploy.destroyForcibly(); // SIGKILL
      assertThat(deploy.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      deploy.destroyForcibly();
    }
    DatabaseSupport d = DatabaseSupport.of(f.db.kind());
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
    if (f.db.kind() == DatabaseKind.POSTGRESQL) {
      // client_connection_check_interval: the server ends and rolls back the orphaned migration
      await("the killed deploy's migration to be rolled back", () -> !sleeping(f), () -> "");
    }
  }

  static Process start(PipelineFixture f) throws Exception {
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

  /** A session other than this one runs the migration's {@code sleepSql(120)}. */
  static boolean sleeping(PipelineFixture f) {
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
  static void await(String what, BooleanSupplier condition, Supplier<String> abort)
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
