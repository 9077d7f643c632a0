package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G7/G9 (issue 19, part 6): the database connection lost in the middle of a deploy (the server
 * crashed or restarted, a proxy or an operator ended the session). Before the fix the CLI printed
 * 129 lines of Flyway's stack trace without {@code --debug} and did not name the backup. Now it is
 * one screen: what happened, the run, and the backup to restore; no stack trace.
 *
 * <p>The test never touches the server or other tests: it ends, with {@code pg_terminate_backend},
 * only backends connected to its own uniquely named database.
 */
@DisplayName("G7: a connection lost mid-deploy is one screen naming the backup, no stack trace")
class G7ConnectionLostIT {
  @TempDir Path dir;

  /**
   * @param whom {@code migration}: only the backend running the migration (a session ended by an
   *     operator or a proxy); {@code all}: every backend of the database, prodguard's control
   *     connection included (what a server crash does)
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"migration", "all"})
  void connectionKilledMidDeploy(String whom) throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = new HashMap<>();
      env.put("CI", "true");
      env.put("PROD_DATABASE_URL", db.libpqUrl());
      env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n"
              + "backup: { directory: backups }\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"),
          "CREATE TABLE items (id INT PRIMARY KEY);\nSELECT pg_sleep(60);\n");
      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();

      CompletableFuture<Cli.Result> promote =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return Cli.run(dir, env, "promote", "prod");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      try (Connection c = db.connect()) {
        c.setAutoCommit(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (count(c, "query LIKE 'SELECT pg_sleep(60)%'") == 0) {
          assertThat(promote.isDone()).as("promote ended early: %s", promote).isFalse();
          assertThat(System.nanoTime()).as("the migration never started").isLessThan(deadline);
          Thread.sleep(200);
        }
        terminateOwn(c, whom.equals("all") ? "true" : "query LIKE 'SELECT pg_sleep(60)%'");
      }
      Cli.Result r = promote.get(120, TimeUnit.SECONDS);

      List<Path> dumps;
      try (var files = Files.list(dir.resolve("backups"))) {
        dumps = files.filter(p -> p.toString().endsWith(".dump")).toList();
      }
      assertThat(dumps).as(r.toString()).hasSize(1);
      String backup = dumps.get(0).toAbsolutePath().toString();
      assertThat(r.exit()).as(r.toString()).isEqualTo(3);
      assertThat(r.err())
          .as(r.toString())
          .contains(
              "deploy failed",
              "the connection to the database was lost",
              "restore the backup " + backup)
          .doesNotContain("\tat ", "Exception", "FlywayException", "PSQLException");
      assertThat(r.err().lines().count()).as(r.toString()).isLessThanOrEqualTo(24);

      // the run is failed, recorded by the deploy itself or by the next command
      Cli.Result status = Cli.run(dir, env, "status", "prod", "--format", "json");
      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(status.out()).as(status.all()).contains("\"status\" : \"failed\"");
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName(
      "G7: a deploy stopped by SIGTERM (a cancelled CI job, Ctrl-C) says so on its own output,"
          + " naming the run and the next command; the migration it ran is rolled back (new user"
          + " 19/13: it ended with no word)")
  void stoppedDeploySaysSo() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = new HashMap<>();
      env.put("CI", "true");
      env.put("PROD_DATABASE_URL", db.libpqUrl());
      env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
      env.put("PATH", System.getenv("PATH"));
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n"
              + "backup: { directory: backups }\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"),
          "CREATE TABLE items (id INT PRIMARY KEY);\nSELECT pg_sleep(60);\n");
      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();

      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-jar",
                  Cli.jar().toString(),
                  "promote",
                  "prod")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("promote.log").toFile());
      pb.environment().clear();
      pb.environment().putAll(env);
      Process p = pb.start();
      try (Connection c = db.connect()) {
        c.setAutoCommit(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (count(c, "query LIKE 'SELECT pg_sleep(60)%'") == 0) {
          assertThat(p.isAlive())
              .as("promote ended early: %s", Files.readString(dir.resolve("promote.log")))
              .isTrue();
          assertThat(System.nanoTime()).as("the migration never started").isLessThan(deadline);
          Thread.sleep(200);
        }
        p.destroy(); // SIGTERM, as a cancelled CI job or Ctrl-C
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(dir.resolve("promote.log"));
        assertThat(log)
            .contains("interrupted while deploying run run-", "to 'prod'", "prodguard status prod")
            .doesNotContain("\tat ", "Exception");
        long deadline2 = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (count(c, "query LIKE 'SELECT pg_sleep(60)%'") > 0 && System.nanoTime() < deadline2) {
          Thread.sleep(200);
        }
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT to_regclass('items') IS NULL")) {
          rs.next();
          assertThat(rs.getBoolean(1)).as("V1 was rolled back").isTrue();
        }
      } finally {
        p.destroyForcibly();
      }
    }
  }

  /** Counts the other backends of this test's own database that match {@code condition}. */
  private static long count(Connection c, String condition) throws Exception {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM (" + own(condition) + ") o")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Ends the other backends of this test's own database that match {@code condition}, and no other:
   * the pids are chosen in a materialized CTE, so pg_terminate_backend never sees a row of another
   * database (in a plain WHERE the planner may call it before the other filters).
   */
  private static void terminateOwn(Connection c, String condition) throws Exception {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "WITH mine AS MATERIALIZED ("
                    + own(condition)
                    + ") SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM mine")) {
      rs.next();
      assertThat(rs.getLong(1)).as("backends ended").isPositive();
    }
  }

  private static String own(String condition) {
    return "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        + " AND pid <> pg_backend_pid() AND ("
        + condition
        + ")";
  }
}
