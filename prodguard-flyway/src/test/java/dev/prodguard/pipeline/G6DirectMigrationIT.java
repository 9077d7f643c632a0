package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.flyway.CallbackFile;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.support.DatabaseSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G6 on real PostgreSQL and MariaDB: Flyway run by hand, and DDL typed by hand, fail inside a
 * protected database; the guarded deploy passes. Each test is an attack.
 */
@DisplayName("G6 direct migration blocked")
class G6DirectMigrationIT {
  static final String BLOCKED =
      "prodguard: direct migration blocked on protected environment 'prod': run 'prodguard"
          + " promote prod' from CI";

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G6: direct migrate fails (even with CI=true)")
  void directMigrateFails(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      // The guarded deploy passes its own callback (and on PostgreSQL the DDL guard).
      Results.Promote first = f.pipeline().promote("prod");
      assertThat(first.deploy().orElseThrow().applied()).hasSize(1);
      assertThat(Files.readString(f.migrations.resolve(CallbackFile.NAME)))
          .isEqualTo(CallbackFile.expected(DatabaseSupport.of(kind)));
      assertThat(ddlGuard(f))
          .isEqualTo(
              kind == DatabaseKind.POSTGRESQL
                  ? DatabaseGuards.DdlGuard.INSTALLED
                  : DatabaseGuards.DdlGuard.UNSUPPORTED);
      f.migration(
          "V2__by_hand.sql",
          "CREATE TABLE by_hand (id INT PRIMARY KEY);\nINSERT INTO by_hand VALUES (1);\n");
      String before = schema(f);

      Child withCi = directMigrate(f, true);
      Child withoutCi = directMigrate(f, false);
      Throwable inProcess =
          catchThrowable(
              () ->
                  Flyway.configure()
                      .dataSource(f.db.jdbcUrl(), null, null)
                      .locations("filesystem:" + f.migrations)
                      .load()
                      .migrate());

      assertThat(withCi.exit()).as(withCi.out()).isEqualTo(1);
      assertThat(withCi.out()).contains(BLOCKED);
      assertThat(withoutCi.exit()).as(withoutCi.out()).isEqualTo(1);
      assertThat(withoutCi.out()).contains(BLOCKED);
      assertThat(inProcess).isInstanceOf(FlywayException.class).hasMessageContaining(BLOCKED);
      assertThat(f.tableExists("by_hand")).isFalse();
      assertThat(schema(f)).isEqualTo(before);
      assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2'"))
          .contains("0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: direct migrate fails without deployment approval (while a guarded deploy of another"
          + " run is in progress), and the guarded deploy still succeeds")
  void directMigrateFailsDuringDeploy(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration("V2__guarded.sql", "CREATE TABLE guarded (id INT PRIMARY KEY);\n");
      String id = f.pipeline().verify("prod").run().orElseThrow().id();
      f.pipeline().backup("prod", Optional.empty());
      HeldFlywayEngine held = new HeldFlywayEngine(true);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Results.Deploy> deploy =
            pool.submit(() -> f.pipeline(held).deploy("prod", Optional.empty()));
        assertThat(held.inside.await(60, TimeUnit.SECONDS)).isTrue();

        List<String> registered =
            rows(f, "SELECT run_id, token_sha256 FROM prodguard_session ORDER BY session_id");
        Child concurrent = directMigrate(f, true);
        Throwable inProcess =
            catchThrowable(
                () ->
                    Flyway.configure()
                        .dataSource(f.db.jdbcUrl(), null, null)
                        .locations("filesystem:" + f.migrations)
                        .load()
                        .migrate());
        Throwable ddl =
            kind == DatabaseKind.POSTGRESQL
                ? catchThrowable(() -> plain(f, "CREATE TABLE during_deploy (id int)"))
                : null;
        held.release.countDown();
        Results.Deploy done = deploy.get(120, TimeUnit.SECONDS);

        Run run = f.run(id);
        assertThat(registered)
            .isNotEmpty()
            .allSatisfy(r -> assertThat(r).isEqualTo(id + "|" + approvalSha(f, id)));
        assertThat(concurrent.exit()).as(concurrent.out()).isEqualTo(1);
        assertThat(concurrent.out()).contains(BLOCKED);
        assertThat(inProcess).isInstanceOf(FlywayException.class).hasMessageContaining(BLOCKED);
        if (ddl != null) {
          assertThat(ddl)
              .hasMessageContaining(
                  "prodguard: DDL (CREATE TABLE) blocked on protected environment 'prod'");
          assertThat(f.tableExists("during_deploy")).isFalse();
        }
        assertThat(done.applied())
            .extracting(MigrationEngine.Applied::script)
            .contains("V2__guarded.sql");
        assertThat(run.status()).isEqualTo(RunStatus.DEPLOYED);
        assertThat(f.tableExists("guarded")).isTrue();
        assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2'"))
            .contains("1");
        // Registrations end with the deploy.
        assertThat(f.query("SELECT COUNT(*) FROM prodguard_session")).contains("0");
      } finally {
        held.release.countDown();
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: the callback runs inside prodguard's own deploy: without the session registration the"
          + " database refuses that deploy too")
  void callbackRunsInGuardedDeploy(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration("V2__unregistered.sql", "CREATE TABLE unregistered (id INT);\n");
      f.pipeline().verify("prod");
      f.pipeline().backup("prod", Optional.empty());

      DeployFailure failed =
          catchThrowableOfType(
              DeployFailure.class,
              () -> f.pipeline().registrar(SessionRegistrar.NONE).deploy("prod", Optional.empty()));

      assertThat(failed).hasMessageContaining(BLOCKED).hasMessageContaining("beforeEachMigrate");
      assertThat(f.tableExists("unregistered")).isFalse();
    }
  }

  @Test
  @DisplayName(
      "G6: psql-style DDL (CREATE/DROP TABLE) through a plain JDBC connection fails on protected"
          + " PostgreSQL and succeeds on dev")
  void handTypedDdl() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir.resolve("prod"))) {
      f.pipeline().promote("prod");

      Throwable create = catchThrowable(() -> plain(f, "CREATE TABLE hand_made (id int)"));
      Throwable drop = catchThrowable(() -> plain(f, "DROP TABLE items"));
      Throwable alter = catchThrowable(() -> plain(f, "ALTER TABLE items ADD COLUMN x int"));
      Throwable index = catchThrowable(() -> plain(f, "CREATE INDEX items_name ON items (name)"));
      Throwable history = catchThrowable(() -> plain(f, "DROP TABLE flyway_schema_history"));

      assertThat(create)
          .hasMessageContaining(
              "prodguard: DDL (CREATE TABLE) blocked on protected environment 'prod': run"
                  + " 'prodguard promote prod' from CI");
      assertThat(drop).hasMessageContaining("prodguard: DDL (DROP TABLE) blocked");
      assertThat(alter).hasMessageContaining("prodguard: DDL (ALTER TABLE) blocked");
      assertThat(index).hasMessageContaining("prodguard: DDL (CREATE INDEX) blocked");
      assertThat(history).hasMessageContaining("prodguard: DDL (DROP TABLE) blocked");
      assertThat(f.tableExists("hand_made")).isFalse();
      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("3");
      assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history")).isPresent();
    }
    try (PipelineFixture dev =
        PipelineFixture.create(DatabaseKind.POSTGRESQL, dir.resolve("dev"), "dev", false, false)) {
      plain(dev, "CREATE TABLE hand_made (id int)");
      assertThat(dev.tableExists("hand_made")).isTrue();
      plain(dev, "DROP TABLE hand_made");
      assertThat(dev.tableExists("hand_made")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G6: on dev (not protected) Flyway by hand still migrates: the callback passes")
  void devUnaffected(DatabaseKind kind) throws Exception {
    try (PipelineFixture dev = PipelineFixture.create(kind, dir, "dev", false, false)) {
      dev.pipeline().deploy("dev", Optional.empty());
      dev.migration("V2__by_hand.sql", "CREATE TABLE by_hand (id INT PRIMARY KEY);\n");

      Child child = directMigrate(dev, false);

      assertThat(child.exit()).as(child.out()).isZero();
      assertThat(dev.tableExists("by_hand")).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: a registration of a finished run is ignored (and one of a 'deploying' run whose lock"
          + " holder is gone, or with another token)")
  void staleRegistrationIgnored(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      String id = f.pipeline().promote("prod").verify().run().orElseThrow().id();
      String token = approvalSha(f, id);
      assertThat(token).hasSize(64);
      DatabaseSupport d = DatabaseSupport.of(kind);
      try (Connection attacker = DriverManager.getConnection(f.db.jdbcUrl());
          Connection lock = DriverManager.getConnection(f.db.jdbcUrl())) {
        forgeRegistration(attacker, kind, id, token);

        Throwable finished = catchThrowable(() -> assertDeploy(attacker, d));
        f.db.execute("UPDATE prodguard_run SET status = 'deploying' WHERE id = '" + id + "'");
        Throwable holderGone = catchThrowable(() -> assertDeploy(attacker, d));
        assertThat(DeployLock.tryAcquire(lock, d)).isTrue();
        f.db.execute(
            "UPDATE prodguard_run SET deploy_session = '"
                + DeployLock.sessionId(lock, d)
                + "', approval_token_sha256 = '"
                + "f".repeat(64)
                + "' WHERE id = '"
                + id
                + "'");
        Throwable otherToken = catchThrowable(() -> assertDeploy(attacker, d));
        // Control: the same row passes once the run is deploying, its holder alive, tokens equal.
        f.db.execute(
            "UPDATE prodguard_run SET approval_token_sha256 = '"
                + token
                + "' WHERE id = '"
                + id
                + "'");
        Throwable live = catchThrowable(() -> assertDeploy(attacker, d));
        Throwable registerWithoutToken =
            catchThrowable(() -> register(attacker, d, id, "not-the-token"));

        assertThat(finished).hasMessageContaining(BLOCKED);
        assertThat(holderGone).hasMessageContaining(BLOCKED);
        assertThat(otherToken).hasMessageContaining(BLOCKED);
        assertThat(live).isNull();
        assertThat(registerWithoutToken)
            .hasMessageContaining("prodguard: cannot register this session");
      }
    }
  }

  @Test
  @DisplayName(
      "G6: flyway clean with skipDefaultCallbacks(true) fails on protected PostgreSQL through the"
          + " event trigger")
  void cleanBlockedByEventTrigger() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      String before = schema(f);

      Throwable clean =
          catchThrowable(
              () ->
                  Flyway.configure()
                      .dataSource(f.db.jdbcUrl(), null, null)
                      .locations("filesystem:" + f.migrations)
                      .cleanDisabled(false)
                      .skipDefaultCallbacks(true)
                      .load()
                      .clean());

      assertThat(clean)
          .isInstanceOf(FlywayException.class)
          .hasMessageContaining("prodguard: DDL (DROP")
          .hasMessageContaining("blocked on protected environment 'prod'");
      assertThat(schema(f)).isEqualTo(before);
      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("3");
    }
  }

  // ------------------------------------------------------------------ helpers

  record Child(int exit, String out) {}

  /** Flyway's own API in a child JVM, with CI=true in its environment or without. */
  private static Child directMigrate(PipelineFixture f, boolean ci)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DirectFlywayMigrate.class.getName(),
                f.db.jdbcUrl(),
                f.migrations.toString())
            .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", System.getenv("PATH"));
    if (ci) {
      env.putAll(f.ciEnv());
    }
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the direct migrate did not finish: " + out);
    }
    return new Child(p.exitValue(), out);
  }

  /** A statement on a plain connection, as psql or an IDE would send it. */
  private static void plain(PipelineFixture f, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(f.db.jdbcUrl());
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static DatabaseGuards.DdlGuard ddlGuard(PipelineFixture f) throws SQLException {
    try (Connection c = f.db.connect()) {
      return DatabaseGuards.ddlGuard(c, DatabaseSupport.of(f.db.kind()));
    }
  }

  /** Tables of the schema and the schema history, as one comparable string. */
  private static String schema(PipelineFixture f) {
    String tables =
        f.db.kind() == DatabaseKind.POSTGRESQL
            ? f.query(
                    "SELECT string_agg(table_name::text, ',' ORDER BY table_name)"
                        + " FROM information_schema.tables WHERE table_schema = current_schema()")
                .orElse("")
            : f.query(
                    "SELECT GROUP_CONCAT(table_name ORDER BY table_name)"
                        + " FROM information_schema.tables WHERE table_schema = DATABASE()")
                .orElse("");
    return tables
        + " | history rows: "
        + f.query("SELECT COUNT(*) FROM flyway_schema_history").orElse("?");
  }

  private static List<String> rows(PipelineFixture f, String sql) throws SQLException {
    try (Connection c = f.db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      java.util.ArrayList<String> out = new java.util.ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1) + "|" + rs.getString(2));
      }
      return out;
    }
  }

  private static String approvalSha(PipelineFixture f, String runId) {
    return f.query("SELECT approval_token_sha256 FROM prodguard_run WHERE id = '" + runId + "'")
        .orElseThrow();
  }

  /** A registration row written by hand for the attacker's own session. */
  private static void forgeRegistration(Connection c, DatabaseKind kind, String run, String sha)
      throws SQLException {
    String sql =
        kind == DatabaseKind.POSTGRESQL
            ? "INSERT INTO prodguard_session (session_id, run_id, session_started, token_sha256)"
                + " VALUES (pg_backend_pid(), ?, (SELECT backend_start FROM pg_stat_activity"
                + " WHERE pid = pg_backend_pid()), ?)"
            : "INSERT INTO prodguard_session (session_id, run_id, session_started, token_sha256)"
                + " VALUES (CONNECTION_ID(), ?, NULL, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, run);
      ps.setString(2, sha);
      ps.executeUpdate();
    }
  }

  private static void assertDeploy(Connection c, DatabaseSupport d) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(d.assertDeployCall());
    }
  }

  private static void register(Connection c, DatabaseSupport d, String run, String token)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(d.registerSession())) {
      ps.setString(1, run);
      ps.setString(2, token);
      ps.execute();
    }
  }
}
