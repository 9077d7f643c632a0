package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.pipeline.DeployLock;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G7 (attack, issue of session 11): a {@code prodguard promote} from CI killed with SIGKILL inside
 * a migration that no transaction bounds (PostgreSQL with {@code executeInTransaction=false} in the
 * script configuration, MariaDB writing an Aria table) leaves its first statement committed and no
 * history row. Before the fix status said nothing was wrong and the rerun passed verify and applied
 * the row change a second time. Now the rerun is refused naming the run, the migration and the way
 * forward, status exits 1 with the run {@code unsettled (G7)}, and {@code prodguard repair
 * --reason} settles it (audited), after which the rerun goes on. A killed transactional migration
 * (nothing left) is not refused.
 */
@DisplayName(
    "G7: a deploy killed inside a migration no transaction bounds is refused until settled")
class G7KilledUnboundedDeployIT {
  @TempDir Path dir;

  private static final String SLEEP_PG = "SELECT pg_sleep(120);";
  private static final String SLEEP_MARIADB = "SELECT SLEEP(120);";

  /** CI's variables; PATH too: the promote to kill is started here with exactly these. */
  private static Map<String, String> ci(TestDatabase db) {
    Map<String, String> env = CliProd.ci(db);
    env.put("PATH", System.getenv("PATH"));
    return env;
  }

  private Path setUp(TestDatabase db, Map<String, String> env, String auditTable) throws Exception {
    return CliProd.promoted(
        dir,
        env,
        // verify's trace would replay the migration's sleep first; trace is not under test
        (db.kind() == DatabaseKind.POSTGRESQL ? "trace: { verify: off }\n" : "")
            + "backup: { directory: backups }\n",
        "V1__audit_log.sql",
        auditTable);
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL, V2 executeInTransaction=false killed mid-file: rerun refused (also once the"
          + " file was edited to run in a transaction: judged at start), status exits 1"
          + " 'unsettled', repair --reason settles it (audited), then the rerun deploys once")
  void postgresOutsideTransaction() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = ci(db);
      Path migrations =
          setUp(db, env, "CREATE TABLE audit_log (id serial PRIMARY KEY, msg text NOT NULL);\n");
      Files.writeString(
          migrations.resolve("V2__audit.sql"),
          "INSERT INTO audit_log (msg) VALUES ('v2 deployed');\n" + SLEEP_PG + "\n");
      Files.writeString(migrations.resolve("V2__audit.sql.conf"), "executeInTransaction=false\n");

      killPromoteWhileSleeping(db, env, SLEEP_PG);
      assertThat(rows(db)).as("the INSERT before the kill was committed").isEqualTo(1);
      // edited after the kill to run in a transaction: what the killed deploy ran was judged when
      // it started, so the rerun is refused all the same
      Files.delete(migrations.resolve("V2__audit.sql.conf"));

      refusedUntilSettled(db, env, migrations, "V2__audit.sql", SLEEP_PG);
    }
  }

  @Test
  @DisplayName(
      "G7: MariaDB, V2 writes an Aria table and is killed mid-file: rerun refused, status exits 1"
          + " 'unsettled', repair --reason settles it (audited), then the rerun deploys once")
  void mariadbAriaTable() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.MARIADB)) {
      Map<String, String> env = ci(db);
      Path migrations =
          setUp(
              db,
              env,
              "CREATE TABLE audit_log (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100) NOT"
                  + " NULL) ENGINE=Aria;\n");
      Files.writeString(
          migrations.resolve("V2__audit.sql"),
          "INSERT INTO audit_log (msg) VALUES ('v2 deployed');\n" + SLEEP_MARIADB + "\n");

      killPromoteWhileSleeping(db, env, SLEEP_MARIADB);
      assertThat(rows(db)).as("Aria kept the INSERT before the kill").isEqualTo(1);

      refusedUntilSettled(db, env, migrations, "V2__audit.sql", SLEEP_MARIADB);
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL, V2 in Flyway's transaction killed mid-file left nothing: the rerun is not"
          + " refused (also once V2 was edited to run outside a transaction: judged at start),"
          + " status exits 0, and V2's row is there once")
  void postgresInTransactionNotRefused() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = ci(db);
      Path migrations =
          setUp(db, env, "CREATE TABLE audit_log (id serial PRIMARY KEY, msg text NOT NULL);\n");
      Files.writeString(
          migrations.resolve("V2__audit.sql"),
          "INSERT INTO audit_log (msg) VALUES ('v2 deployed');\n" + SLEEP_PG + "\n");

      killPromoteWhileSleeping(db, env, SLEEP_PG);
      assertThat(rows(db)).as("the server rolled the migration back").isZero();

      // the retry, without the sleep that let the test kill the first deploy, and now outside a
      // transaction: the killed deploy ran V2 in one, judged when it started, not on this edit
      Files.writeString(
          migrations.resolve("V2__audit.sql"),
          "INSERT INTO audit_log (msg) VALUES ('v2 deployed');\nSELECT 1;\n");
      Files.writeString(migrations.resolve("V2__audit.sql.conf"), "executeInTransaction=false\n");
      Cli.Result status = Cli.run(dir, env, "status", "prod");
      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(status.out()).doesNotContain("unsettled (G7)");
      Cli.Result rerun = Cli.run(dir, env, "promote", "prod");
      assertThat(rerun.exit()).as(rerun.all()).isZero();
      assertThat(rows(db)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName(
      "G7: promote --fleet refuses the target whose deploy was killed inside V2"
          + " (executeInTransaction=false), status --fleet exits 1 naming it unsettled, repair"
          + " --fleet settles it, then the rollout deploys V2 once")
  void fleetTargetRefused() throws Exception {
    List<TestDatabase> dbs = new ArrayList<>();
    try {
      Map<String, String> ci =
          CliFleets.fingerprinted(
              dir,
              // verify's trace would replay the sleep first; trace is not under test
              "trace: { verify: off }\nbackup: { directory: backups }\n",
              List.of("acme", "globex"),
              TestDatabase::postgres,
              dbs,
              Map.of("PATH", System.getenv("PATH")));
      Cli.Result first = Cli.run(dir, ci, "promote", "--fleet", "shop");
      assertThat(first.exit()).as(first.toString()).isZero();
      Path migrations = dir.resolve("db/migration");
      Files.writeString(
          migrations.resolve("V2__item.sql"), "INSERT INTO items VALUES (2);\n" + SLEEP_PG + "\n");
      Files.writeString(migrations.resolve("V2__item.sql.conf"), "executeInTransaction=false\n");
      TestDatabase acme = dbs.get(0);

      killWhileSleeping(acme, ci, SLEEP_PG, "promote", "acme", "--fleet", "shop");
      String died = query(acme, "SELECT id FROM prodguard_run WHERE status = 'deploying'");
      assertThat(died).isNotNull();

      Cli.Result rollout = Cli.run(dir, ci, "promote", "--fleet", "shop");
      assertThat(rollout.exit()).as(rollout.toString()).isEqualTo(Main.REFUSED);
      assertThat(rollout.all()).contains("acme", "G7", died);
      Cli.Result status = Cli.run(dir, ci, "status", "--fleet", "shop");
      assertThat(status.exit()).as(status.toString()).isEqualTo(Main.REFUSED);
      assertThat(status.out()).contains("unsettled (G7): run " + died);

      acme.execute("DELETE FROM items WHERE id = 2");
      Files.writeString(migrations.resolve("V2__item.sql"), "INSERT INTO items VALUES (2);\n");
      Cli.Result repair =
          Cli.run(dir, ci, "repair", "acme", "--fleet", "shop", "--reason", "INC-12: row removed");
      assertThat(repair.exit()).as(repair.toString()).isZero();
      assertThat(repair.out()).contains("settled", died);
      Cli.Result again = Cli.run(dir, ci, "promote", "--fleet", "shop");
      assertThat(again.exit()).as(again.toString()).isZero();
      for (TestDatabase db : dbs) {
        assertThat(query(db, "SELECT COUNT(*) FROM items WHERE id = 2")).isEqualTo("1");
      }
    } finally {
      dbs.forEach(TestDatabase::close);
    }
  }

  /**
   * The rerun of the same files is refused (G7, one screen, naming the run, the migration, the
   * backup and repair), status exits 1 naming it unsettled; after the target was checked (the
   * partial row removed by hand) and {@code repair --reason} settled the run, audited, the rerun
   * deploys V2 once.
   */
  private void refusedUntilSettled(
      TestDatabase db, Map<String, String> env, Path migrations, String script, String sleep)
      throws Exception {
    String died = query(db, "SELECT id FROM prodguard_run WHERE status = 'deploying'");
    assertThat(died).as("the killed deploy's run").isNotNull();

    Cli.Result rerun = Cli.run(dir, env, "promote", "prod");
    assertThat(rerun.exit()).as(rerun.all()).isEqualTo(Main.REFUSED);
    assertThat(rerun.err())
        .as(rerun.all())
        .contains(
            "refused [G7",
            "deploy run " + died,
            script,
            "no transaction bounds",
            "restore the run's backup " + dir.resolve("backups").toAbsolutePath(),
            "prodguard repair prod --reason")
        .doesNotContain("\tat ", "Exception");
    assertThat(rerun.err().lines().count()).as(rerun.all()).isLessThanOrEqualTo(24);
    assertThat(rows(db)).as("nothing applied a second time").isEqualTo(1);

    Cli.Result verify = Cli.run(dir, env, "verify", "prod");
    assertThat(verify.exit()).as(verify.all()).isEqualTo(Main.REFUSED);
    assertThat(verify.err()).contains("deploy run " + died);
    Cli.Result deploy = Cli.run(dir, env, "deploy", "prod");
    assertThat(deploy.exit()).as(deploy.all()).isEqualTo(Main.REFUSED);
    assertThat(deploy.err()).contains("deploy run " + died, script);

    Cli.Result status = Cli.run(dir, env, "status", "prod");
    assertThat(status.exit()).as(status.all()).isEqualTo(Main.REFUSED);
    assertThat(status.out()).contains("unsettled (G7): run " + died, script);
    Cli.Result json = Cli.run(dir, env, "status", "prod", "--format", "json");
    assertThat(json.exit()).as(json.all()).isEqualTo(Main.REFUSED);
    assertThat(json.out()).contains("\"unsettled\"", died);

    // checked the target: the partial row removed by hand; the file fixed (no sleep)
    db.execute("DELETE FROM audit_log");
    Files.writeString(
        migrations.resolve(script), "INSERT INTO audit_log (msg) VALUES ('v2 deployed');\n");
    Cli.Result repair =
        Cli.run(dir, env, "repair", "prod", "--reason", "INC-11: partial audit row removed");
    assertThat(repair.exit()).as(repair.all()).isZero();
    assertThat(repair.out()).contains("settled", died);
    assertThat(
            query(
                db,
                "SELECT COUNT(*) FROM prodguard_audit WHERE outcome = 'settled' AND run_id = '"
                    + died
                    + "' AND details LIKE '%INC-11: partial audit row removed%'"))
        .isEqualTo("1");

    Cli.Result settled = Cli.run(dir, env, "status", "prod");
    assertThat(settled.out()).as(settled.all()).doesNotContain("unsettled (G7)");
    Cli.Result again = Cli.run(dir, env, "promote", "prod");
    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(rows(db)).as("V2 applied once").isEqualTo(1);
  }

  /** Starts {@code promote prod} as a process, SIGKILLs it while V2 sleeps, waits for the lock. */
  private void killPromoteWhileSleeping(TestDatabase db, Map<String, String> env, String sleep)
      throws Exception {
    killWhileSleeping(db, env, sleep, "promote", "prod");
  }

  /** Starts {@code prodguard args} as a process, SIGKILLs it while V2 sleeps on {@code db}. */
  private void killWhileSleeping(
      TestDatabase db, Map<String, String> env, String sleep, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Cli.jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("promote.log").toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().putIfAbsent("HOME", System.getProperty("java.io.tmpdir"));
    Process p = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!sleeping(db, sleep)) {
        assertThat(p.isAlive())
            .as("promote ended early: %s", Files.readString(dir.resolve("promote.log")))
            .isTrue();
        assertThat(System.nanoTime()).as("the migration never slept").isLessThan(deadline);
        Thread.sleep(100);
      }
      p.destroyForcibly(); // SIGKILL: a cancelled CI job's runner, an OOM kill
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    awaitLockReleased(db);
    if (db.kind() == DatabaseKind.MARIADB) {
      // MariaDB lets the orphaned SLEEP run to its end; ended here (only this test's own session),
      // so that it holds nothing the rerun waits for. What it committed stays.
      String id =
          query(
              db,
              "SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND info LIKE"
                  + " '%SLEEP(120)%' AND id <> CONNECTION_ID()");
      if (id != null) {
        db.execute("KILL " + id);
      }
    }
    // PostgreSQL ends the orphaned backend (client_connection_check_interval) and rolls back
    awaitNotSleeping(db, sleep);
  }

  private static boolean sleeping(TestDatabase db, String sleep) throws Exception {
    String like = sleep.replace(";", "");
    String sql =
        db.kind() == DatabaseKind.POSTGRESQL
            ? "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query"
                + " LIKE '%"
                + like
                + "%' AND pid <> pg_backend_pid()"
            : "SELECT COUNT(*) FROM information_schema.processlist WHERE db = DATABASE() AND info"
                + " LIKE '%"
                + like
                + "%' AND id <> CONNECTION_ID()";
    return !"0".equals(query(db, sql));
  }

  private static void awaitNotSleeping(TestDatabase db, String sleep) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (sleeping(db, sleep)) {
      assertThat(System.nanoTime()).as("the killed migration still runs").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** The server releases the deploy lock when the killed process's control connection ends. */
  private static void awaitLockReleased(TestDatabase db) throws Exception {
    DatabaseSupport d = DatabaseSupport.of(db.kind());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Connection c = db.connect()) {
        if (DeployLock.holder(c, d).isEmpty()) {
          return;
        }
      }
      assertThat(System.nanoTime()).as("the deploy lock was never released").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static int rows(TestDatabase db) throws Exception {
    return Integer.parseInt(query(db, "SELECT COUNT(*) FROM audit_log"));
  }

  private static String query(TestDatabase db, String sql) throws Exception {
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }
}
