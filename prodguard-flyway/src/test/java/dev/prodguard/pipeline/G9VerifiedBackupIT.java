package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Hashes;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.testing.TestDatabase;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G9 on real PostgreSQL and MariaDB: the backup a deploy relies on is real, whole and unchanged.
 */
@DisplayName("G9 verified backup before deploy")
class G9VerifiedBackupIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: deployment fails when the backup file was deleted")
  void backupDeleted(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().verify("prod");
      Run run = f.pipeline().backup("prod", Optional.empty()).run();
      Files.delete(Path.of(run.backup().orElseThrow().path()));

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
      assertThat(r.why()).contains("no longer exists");
      assertThat(f.tableExists("items")).isFalse();
      assertThat(f.run(run.id()).status()).isEqualTo(RunStatus.BACKED_UP);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: deployment fails when one byte of the backup file changed")
  void backupOneByteChanged(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().verify("prod");
      Run run = f.pipeline().backup("prod", Optional.empty()).run();
      Path file = Path.of(run.backup().orElseThrow().path());
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.seek(raf.length() / 2);
        int b = raf.read();
        raf.seek(raf.length() / 2);
        raf.write(b ^ 0x01);
      }

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
      assertThat(r.why()).contains("changed since it was written", run.backup().get().sha256());
      assertThat(f.tableExists("items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: backup fails without a verification")
  void backupWithoutVerification(DatabaseKind kind) {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().backup("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("no verification is recorded");
      assertThat(dir.resolve("backups")).doesNotExist();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: promote works end to end, and the backup restores the database as it was")
  void promoteEndToEndAndBackupRestores(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Results.Promote first = f.pipeline().promote("prod");
      assertThat(first.deploy().orElseThrow().applied()).hasSize(1);
      f.migration(
          "V2__orders.sql",
          "CREATE TABLE orders (id INT PRIMARY KEY, item_id INT);\n"
              + "INSERT INTO orders VALUES (10, 1);\n"
              + "DELETE FROM items WHERE id = 3;\n");

      Results.Promote second = f.pipeline().promote("prod");

      Run run = f.run(second.verify().run().orElseThrow().id());
      assertThat(run.status()).isEqualTo(RunStatus.DEPLOYED);
      assertThat(run.commit()).contains(PipelineFixture.COMMIT);
      assertThat(run.ciSubject()).contains("ci-bot");
      assertThat(run.receipt().orElseThrow())
          .contains("V2__orders.sql", "\"sha256\"", run.backup().orElseThrow().sha256());
      assertThat(f.tableExists("orders")).isTrue();
      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("2");
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM prodguard_audit WHERE run_id = '"
                      + run.id()
                      + "' AND outcome IN ('verified', 'backed_up', 'deployed')"))
          .as("verify, backup and deploy are in the audit trail")
          .contains("3");

      Run.Backup backup = run.backup().orElseThrow();
      assertThat(Path.of(backup.path())).exists();
      assertThat(Hashes.sha256(Path.of(backup.path()))).isEqualTo(backup.sha256());
      try (TestDatabase copy = TestDatabase.create(kind)) {
        restore(kind, Path.of(backup.path()), copy);
        assertThat(tables(copy)).contains("items").doesNotContain("orders");
        try (Connection c = copy.connect();
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM items")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(3);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: restore-check restores into a scratch database and compares row counts")
  void restoreCheck(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.create(kind, dir, "prod", true, true)) {
      f.pipeline().promote("prod");
      f.migration("V2__more.sql", "INSERT INTO items VALUES (4, 'four');\n");
      f.pipeline().verify("prod");

      Results.Backup b = f.pipeline().backup("prod", Optional.empty());

      assertThat(b.restoreChecked()).isTrue();
      assertThat(b.run().status()).isEqualTo(RunStatus.BACKED_UP);
      assertThat(
              f.query(
                  kind == DatabaseKind.POSTGRESQL
                      ? "SELECT COUNT(*) FROM pg_database WHERE datname LIKE 'prodguard_rc_%'"
                      : "SELECT COUNT(*) FROM information_schema.schemata"
                          + " WHERE schema_name LIKE 'prodguard_rc_%'"))
          .contains("0");
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName("G9: backup refuses a pg_dump older than the server, naming the exact fix")
  void oldPgDumpRefused() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().verify("prod");
      Path bin = Files.createDirectories(dir.resolve("old-client"));
      Path fake = bin.resolve("pg_dump");
      Files.writeString(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n");
      fake.toFile().setExecutable(true);
      java.util.Map<String, String> env = new java.util.HashMap<>(f.ciEnv());
      env.put("PRODGUARD_DUMP_BINDIR", bin.toString());
      dev.prodguard.db.RunContext ctx =
          new dev.prodguard.db.RunContext(env, java.time.Clock.systemUTC(), "runner", "ci-host");
      String server = f.query("SHOW server_version_num").orElseThrow();
      String major = Integer.toString(Integer.parseInt(server) / 10000);

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline(ctx).backup("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
      assertThat(r.why()).contains("pg_dump 9 is older than the PostgreSQL " + major + " server");
      assertThat(r.fix()).contains("postgresql-client-" + major, "PRODGUARD_DUMP_BINDIR");
      assertThat(dir.resolve("backups")).doesNotExist();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G9: promote dumps beside verify's analysis and records the backup only after verify passed")
  void promoteDumpsBesideAnalysis(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Path backups = dir.resolve("backups");
      List<String> seen = new ArrayList<>();
      MigrationAnalyzer contract = new ContractLintAnalyzer(new FlywayMigrationEngine());
      MigrationAnalyzer waits =
          (set, sources, target) -> {
            seen.addAll(provisional(backups, true));
            seen.add("backed_up rows: " + backedUp(f));
            return contract.analyse(set, sources, target);
          };

      Results.Promote p = f.pipeline().analyzer(waits).promote("prod");

      assertThat(seen)
          .as("the dump was finished while verify analysed, and nothing said a backup existed")
          .anyMatch(n -> n.startsWith("prod-early-"))
          .contains("backed_up rows: 0");
      Run run = f.run(p.verify().run().orElseThrow().id());
      assertThat(run.status()).isEqualTo(RunStatus.DEPLOYED);
      Path file = Path.of(run.backup().orElseThrow().path());
      assertThat(file.getFileName().toString()).startsWith("prod-" + run.id() + ".");
      assertThat(Hashes.sha256(file)).isEqualTo(run.backup().get().sha256());
      assertThat(provisional(backups, false, false)).as("no provisional file left").isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: a promote whose verify refuses leaves no dump and records no backup")
  void promoteRefusedLeavesNoDump(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Path backups = dir.resolve("backups");
      List<String> seen = new ArrayList<>();
      MigrationAnalyzer refuses =
          (set, sources, target) -> {
            seen.addAll(provisional(backups, false));
            return new MigrationAnalyzer.Analysis(List.of("refused by the test"), Optional.empty());
          };

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().analyzer(refuses).promote("prod"));

      assertThat(r).isNotNull();
      assertThat(seen).as("the dump had started").anyMatch(n -> n.startsWith("prod-early-"));
      assertThat(provisional(backups, false, false)).as("the dump is deleted").isEmpty();
      try (var files = Files.list(backups)) {
        assertThat(files.toList()).isEmpty();
      }
      assertThat(backedUp(f)).isEqualTo("0");
      assertThat(f.tableExists("items")).isFalse();
    }
  }

  /**
   * The provisional dump files in {@code backups}, waiting up to 20 s for one to appear (with
   * {@code finished}: one that is complete, not {@code .partial}).
   */
  private static List<String> provisional(Path backups, boolean finished) {
    return provisional(backups, finished, true);
  }

  private static List<String> provisional(Path backups, boolean finished, boolean wait) {
    try {
      return provisionalNow(backups, finished, wait);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<String> provisionalNow(Path backups, boolean finished, boolean wait)
      throws java.io.IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(wait ? 20 : 0);
    do {
      List<String> names = new ArrayList<>();
      if (Files.isDirectory(backups)) {
        try (var files = Files.list(backups)) {
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("prod-early-"))
              .filter(n -> !finished || !n.endsWith(".partial"))
              .forEach(names::add);
        }
      }
      if (!names.isEmpty() || !wait) {
        return names;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return List.of();
  }

  private static String backedUp(PipelineFixture f) {
    return f.query("SELECT COUNT(*) FROM prodguard_audit WHERE outcome = 'backed_up'").orElse("?");
  }

  /** Restores with the server's own client, as an operator would. */
  static void restore(DatabaseKind kind, Path dump, TestDatabase into) throws Exception {
    List<String> cmd = new ArrayList<>();
    ProcessBuilder pb;
    if (kind == DatabaseKind.POSTGRESQL) {
      cmd.addAll(
          List.of(
              "pg_restore",
              "--no-owner",
              "--exit-on-error",
              "-h",
              "127.0.0.1",
              "-U",
              "postgres",
              "-d",
              into.name(),
              dump.toString()));
      pb = new ProcessBuilder(cmd);
    } else {
      cmd.addAll(
          List.of(
              "mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", "3306", "-uroot", into.name()));
      pb = new ProcessBuilder(cmd).redirectInput(dump.toFile());
    }
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static List<String> tables(TestDatabase db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        ResultSet rs =
            c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        out.add(rs.getString("TABLE_NAME").toLowerCase());
      }
    }
    return out;
  }

  @org.junit.jupiter.api.Test
  @DisplayName(
      "G9: the restore-check copy a killed backup left (its session gone) is dropped by the next"
          + " backup; a running check's copy and an unmarked database are left alone")
  void deadRestoreCheckCopyDropped() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.create(DatabaseKind.POSTGRESQL, dir, "prod", true, true)) {
      f.pipeline().promote("prod");
      String suffix = Long.toHexString(System.nanoTime());
      String dead = "prodguard_rc_dead" + suffix;
      String live = "prodguard_rc_live" + suffix;
      String unmarked = "prodguard_rc_unmarked" + suffix;
      try (Connection running = f.db.connect()) {
        // a backup killed during its check: its control session created and marked the copy, then
        // the process died and the server ended the session
        try (Connection killed = f.db.connect()) {
          createMarked(killed, dead);
        }
        createMarked(running, live);
        try (Statement st = running.createStatement()) {
          st.execute("CREATE DATABASE " + unmarked);
        }
        try {
          f.migration("V2__more.sql", "INSERT INTO items VALUES (4, 'four');\n");
          f.pipeline().verify("prod");

          Results.Backup b = f.pipeline().backup("prod", Optional.empty());

          assertThat(b.restoreChecked()).isTrue();
          assertThat(exists(f, dead))
              .as("the dead backup's copy of the data is still there")
              .isFalse();
          assertThat(exists(f, live)).isTrue();
          assertThat(exists(f, unmarked)).isTrue();
        } finally {
          try (Statement st = running.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + dead + " WITH (FORCE)");
            st.execute("DROP DATABASE IF EXISTS " + live + " WITH (FORCE)");
            st.execute("DROP DATABASE IF EXISTS " + unmarked + " WITH (FORCE)");
          }
        }
      }
    }
  }

  /** What the restore check does as it creates its scratch database: marks it with its session. */
  private static void createMarked(Connection c, String name) throws Exception {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
      st.execute(
          "DO $$ BEGIN EXECUTE format('COMMENT ON DATABASE "
              + name
              + " IS %L', 'prodguard restore check of database ' || current_database()"
              + " || '; owner session ' || pg_backend_pid() || '@' || (SELECT (extract(epoch FROM"
              + " backend_start) * 1000000)::bigint FROM pg_stat_activity WHERE pid ="
              + " pg_backend_pid())); END $$");
    }
  }

  private static boolean exists(PipelineFixture f, String name) {
    return !"0"
        .equals(
            f.query("SELECT COUNT(*) FROM pg_database WHERE datname = '" + name + "'").orElse("0"));
  }
}
