package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** G7 through the real jar: CREATE INDEX CONCURRENTLY deploys, and a deploy that waits says so. */
@DisplayName("CLI end to end: statements outside a transaction, and deploys that wait (G7)")
class G7NonTransactionalCliIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G7: promote of the issue's CREATE INDEX CONCURRENTLY exits 0; blocked by an open"
          + " transaction, the log (no terminal) shows what it waits for, it exits 1 at"
          + " pipeline.lock-wait-timeout, status lists what is left, and the next promote exits 0")
  void createIndexConcurrentlyThroughTheJar() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      Map<String, String> env = new HashMap<>();
      env.put("CI", "true");
      env.put("PROD_DATABASE_URL", db.libpqUrl());
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n"
              + "  prod:\n"
              + "    url: ${PROD_DATABASE_URL}\n"
              + "    protected: true\n"
              + "pipeline: { lock-wait-timeout: 5s }\n"
              + "backup: { directory: backups }\n");
      Path migrations = Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          migrations.resolve("V1__t.sql"),
          "CREATE TABLE t (id int PRIMARY KEY, v text);"
              + " INSERT INTO t SELECT g, g::text FROM generate_series(1,20000) g;\n");
      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();
      Cli.Result v1 = bounded(() -> Cli.run(dir, env, "promote", "prod"));
      assertThat(v1.exit()).as(v1.all()).isZero();

      Files.writeString(
          migrations.resolve("V2__t_v.sql"), "CREATE INDEX CONCURRENTLY t_v ON t (v);\n");
      Cli.Result v2 = bounded(() -> Cli.run(dir, env, "promote", "prod"));
      assertThat(v2.exit()).as(v2.all()).isZero();
      assertThat(v2.out()).contains("deployed run", "V2 t v");

      Files.writeString(
          migrations.resolve("V3__t_id_v.sql"), "CREATE INDEX CONCURRENTLY t_id_v ON t (id, v);\n");
      Cli.Result blocked;
      try (Connection blocker = db.connect();
          Statement st = blocker.createStatement()) {
        blocker.setAutoCommit(false);
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        st.executeQuery("SELECT COUNT(*) FROM t").close();
        blocked = bounded(() -> Cli.run(dir, env, "promote", "prod"));
        blocker.rollback();
      }
      assertThat(blocked.exit()).as(blocked.all()).isEqualTo(1);
      assertThat(blocked.err())
          .contains(
              "prodguard: V3__t_id_v.sql waiting",
              "idle in transaction",
              "refused [G7 order-locked pipeline]",
              "V3__t_id_v.sql waited",
              "pg_cancel_backend",
              "pg_terminate_backend");

      Cli.Result status = Cli.run(dir, env, "status", "prod");
      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(status.out()).contains("invalid indexes (G7):", "public.t_id_v on t is INVALID");

      Cli.Result retry = bounded(() -> Cli.run(dir, env, "promote", "prod"));
      assertThat(retry.exit()).as(retry.all()).isZero();
      Cli.Result after = Cli.run(dir, env, "status", "prod");
      assertThat(after.out()).doesNotContain("INVALID");
    }
  }

  /** A hanging prodguard fails the test after 90 s instead of hanging the build. */
  private static <T> T bounded(Callable<T> work) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      return pool.submit(work).get(90, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("prodguard still runs after 90 s: it hangs");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }
}
