package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.audit.AuditLog;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.flyway.CallbackFile;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.testing.Configs;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G6 as the pipeline checks it: the callback must be in place, {@code guards.require-ddl-trigger}
 * demands the DDL guard, and a role without superuser still deploys, with the gap reported.
 */
@DisplayName("G6 guards checked by the pipeline")
class G6GuardChecksTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: verify of a protected environment refuses when beforeEachMigrate.sql is missing or"
          + " modified; status reports it; init-fingerprint writes it back")
  void callbackRequired(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Path callback = f.migrations.resolve(CallbackFile.NAME);
      Files.writeString(callback, "-- nothing to see here\nSELECT 1;\n");
      GuardRefusal modified =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      Results.Status statusModified = f.pipeline().status("prod");
      Files.delete(callback);
      GuardRefusal missing =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      Results.Status statusMissing = f.pipeline().status("prod");

      assertThat(modified.guarantee()).isEqualTo(Guarantee.G6);
      assertThat(modified.why()).contains("db/migration/beforeEachMigrate.sql is modified");
      assertThat(modified.fix()).contains("prodguard init-fingerprint prod");
      assertThat(missing.why()).contains("db/migration/beforeEachMigrate.sql is missing");
      assertThat(statusModified.guards().artifacts().get(0).state())
          .isEqualTo(GuardArtifactFiles.State.MODIFIED);
      assertThat(statusMissing.guards().artifacts().get(0).state())
          .isEqualTo(GuardArtifactFiles.State.MISSING);
      assertThat(statusMissing.guards().problems()).anyMatch(p -> p.contains("is missing"));

      RunContext ci = f.ci();
      FingerprintInit.Result again =
          FingerprintInit.run(
              Target.prepare(f.config(), "prod", ci, Target.Access.MUTATE, "init"),
              ci,
              false,
              new FlywayMigrationEngine());
      assertThat(again.guards().artifacts().get(0).written())
          .isEqualTo(GuardArtifactFiles.Written.CREATED);
      assertThat(f.pipeline().promote("prod").deploy()).isPresent();
      assertThat(f.pipeline().status("prod").guards().problems()).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: a protected flag edited to false in the database is set back by verify (audited), and"
          + " until then direct migrate would pass")
  void protectedFlagRestored(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.db.execute("UPDATE prodguard_guard_config SET protected = false WHERE id = 1");
      DatabaseSupport d = DatabaseSupport.of(kind);
      try (Connection c = DriverManager.getConnection(f.db.jdbcUrl())) {
        exec(c, d.assertDeployCall()); // the edit switched the guard off
      }
      Results.Status before = f.pipeline().status("prod");

      f.pipeline().verify("prod");

      assertThat(before.guards().problems())
          .anyMatch(p -> p.contains("records protected=false but prodguard.yml says"));
      assertThat(f.pipeline().status("prod").guards().database().databaseProtected())
          .contains(true);
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM prodguard_audit WHERE outcome ="
                      + " 'protected_flag_restored'"))
          .contains("1");
      try (Connection c = DriverManager.getConnection(f.db.jdbcUrl())) {
        assertThat(catchThrowable(() -> exec(c, d.assertDeployCall())))
            .hasMessageContaining(G6DirectMigrationTest.BLOCKED);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: guards.require-ddl-trigger: verify passes with the DDL guard (PostgreSQL superuser),"
          + " refuses on MariaDB (no event triggers) and when the guard was dropped")
  void requireDdlTrigger(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Path yml = f.dir.resolve("prodguard.yml");
      Files.writeString(yml, Files.readString(yml) + "guards: { require-ddl-trigger: true }\n");
      assertThat(f.config().guards().requireDdlTrigger()).isTrue();

      if (kind == DatabaseKind.MARIADB) {
        GuardRefusal r =
            catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
        assertThat(r.guarantee()).isEqualTo(Guarantee.G6);
        assertThat(r.why()).contains("MySQL/MariaDB", "no event triggers");
        return;
      }
      assertThat(f.pipeline().verify("prod").run()).isPresent();
      f.db.execute("DROP EVENT TRIGGER prodguard_ddl_guard");
      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      Results.Status status = f.pipeline().status("prod");

      assertThat(r.guarantee()).isEqualTo(Guarantee.G6);
      assertThat(r.why()).contains("guards.require-ddl-trigger", "is missing");
      assertThat(r.fix()).contains("superuser");
      assertThat(status.guards().database().ddlGuard()).isEqualTo(DatabaseGuards.DdlGuard.MISSING);
      assertThat(status.guards().problems())
          .anyMatch(p -> p.contains("guards.require-ddl-trigger makes verify refuse"));
    }
  }

  @Test
  @DisplayName(
      "G6: without a superuser init-fingerprint says the DDL guard is missing, status shows it,"
          + " guards.require-ddl-trigger makes verify refuse; the guarded deploy still works and"
          + " direct migrate still fails")
  void withoutSuperuser() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      String role = db.createOwnerRole();
      Map<String, String> env =
          Map.of(
              "CI",
              "true",
              "PROD_DATABASE_URL",
              db.libpqUrl(role),
              "GITHUB_SHA",
              PipelineFixture.COMMIT,
              "GITHUB_ACTOR",
              "ci-bot");
      RunContext ci = new RunContext(env, Clock.systemUTC(), "runner", "ci-host");
      String yaml =
          "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n%s"
              + "migrations:\n  locations: [db/migration]\nbackup: { directory: backups }\n%s";
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"),
          "CREATE TABLE items (id INT PRIMARY KEY);\nINSERT INTO items VALUES (1);\n");
      FingerprintInit.Result init =
          FingerprintInit.run(
              Target.prepare(
                  Configs.load(dir, String.format(yaml, "", "")),
                  "prod",
                  ci,
                  Target.Access.MUTATE,
                  "init"),
              ci,
              false,
              new FlywayMigrationEngine());
      String fp = "    fingerprint: " + init.fingerprint() + "\n";
      Configs.write(dir, String.format(yaml, fp, "guards: { require-ddl-trigger: true }\n"));
      ProdguardConfig strict = ConfigLoader.load(dir.resolve("prodguard.yml"));
      Results.Status status = new Pipeline(strict, ci, new FlywayMigrationEngine()).status("prod");
      GuardRefusal refused =
          catchThrowableOfType(
              GuardRefusal.class,
              () -> new Pipeline(strict, ci, new FlywayMigrationEngine()).verify("prod"));
      Configs.write(dir, String.format(yaml, fp, ""));
      ProdguardConfig lenient = ConfigLoader.load(dir.resolve("prodguard.yml"));
      Results.Promote promoted =
          new Pipeline(lenient, ci, new FlywayMigrationEngine()).promote("prod");
      Files.writeString(
          dir.resolve("db/migration/V2__by_hand.sql"), "CREATE TABLE by_hand (id INT);\n");
      String roleUrl = db.jdbcUrl().replace("user=postgres", "user=" + role);
      Throwable direct =
          catchThrowable(
              () ->
                  Flyway.configure()
                      .dataSource(roleUrl, null, null)
                      .locations("filesystem:" + dir.resolve("db/migration"))
                      .load()
                      .migrate());

      assertThat(init.guards().ddlGuard().state()).isEqualTo(DatabaseGuards.DdlGuard.MISSING);
      assertThat(init.guards().ddlGuard().note().orElseThrow()).contains("not a superuser");
      assertThat(status.guards().database().ddlGuard()).isEqualTo(DatabaseGuards.DdlGuard.MISSING);
      assertThat(status.guards().database().assertInstalled()).isTrue();
      assertThat(status.guards().problems())
          .anyMatch(p -> p.contains("DDL guard") && p.contains("superuser"));
      assertThat(refused.guarantee()).isEqualTo(Guarantee.G6);
      assertThat(refused.why()).contains("guards.require-ddl-trigger");
      assertThat(promoted.deploy().orElseThrow().applied()).hasSize(1);
      assertThat(direct)
          .isInstanceOf(FlywayException.class)
          .hasMessageContaining(G6DirectMigrationTest.BLOCKED);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: verify refuses while flyway_schema_history has no guard (a trigger dropped, or on"
          + " PostgreSQL no longer ENABLE ALWAYS); status shows it; init-fingerprint puts it back")
  void historyGuardRequired(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      DatabaseGuards.HistoryGuard deployed =
          f.pipeline().status("prod").guards().database().historyGuard();
      f.db.execute(
          kind == DatabaseKind.POSTGRESQL
              ? "DROP TRIGGER prodguard_history_guard ON flyway_schema_history"
              : "DROP TRIGGER prodguard_history_no_delete");

      GuardRefusal dropped =
          catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      Results.Status status = f.pipeline().status("prod");
      RunContext ci = f.ci();
      FingerprintInit.Result init =
          FingerprintInit.run(
              Target.prepare(f.config(), "prod", ci, Target.Access.MUTATE, "init"),
              ci,
              false,
              new FlywayMigrationEngine());
      Results.Verify repaired = f.pipeline().verify("prod");

      assertThat(deployed).isEqualTo(DatabaseGuards.HistoryGuard.INSTALLED);
      assertThat(dropped.guarantee()).isEqualTo(Guarantee.G6);
      assertThat(dropped.why()).contains("the guard on flyway_schema_history", "is missing");
      assertThat(dropped.fix()).contains("prodguard init-fingerprint prod");
      assertThat(status.guards().database().historyGuard())
          .isEqualTo(DatabaseGuards.HistoryGuard.MISSING);
      assertThat(status.guards().problems())
          .anyMatch(p -> p.contains("the guard on flyway_schema_history is missing"));
      assertThat(init.guards().historyGuard().state())
          .isEqualTo(DatabaseGuards.HistoryGuard.INSTALLED);
      assertThat(repaired.upToDate()).isTrue();
      if (kind == DatabaseKind.POSTGRESQL) {
        f.db.execute("ALTER TABLE flyway_schema_history ENABLE TRIGGER prodguard_history_guard");
        GuardRefusal weakened =
            catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
        assertThat(weakened.why()).contains("the guard on flyway_schema_history", "is disabled");
      }
    }
  }

  @Test
  @DisplayName(
      "G6: without a superuser (no DDL guard) the deploy still guards flyway_schema_history: a"
          + " Flyway migrate by hand from a folder without the callback (DDL or DML) rolls back"
          + " and repair is refused; status still reports the missing DDL guard")
  void withoutSuperuserHistoryGuard() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      String role = db.createOwnerRole();
      Map<String, String> env =
          Map.of("CI", "true", "PROD_DATABASE_URL", db.libpqUrl(role), "GITHUB_ACTOR", "ci-bot");
      RunContext ci = new RunContext(env, Clock.systemUTC(), "runner", "ci-host");
      String yaml =
          "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n%s"
              + "migrations:\n  locations: [db/migration]\nbackup: { directory: backups }\n";
      Path migrations = Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          migrations.resolve("V1__items.sql"),
          "CREATE TABLE items (id INT PRIMARY KEY);\nINSERT INTO items VALUES (1);\n");
      String fp =
          FingerprintInit.run(
                  Target.prepare(
                      Configs.load(dir, String.format(yaml, "")),
                      "prod",
                      ci,
                      Target.Access.MUTATE,
                      "init"),
                  ci,
                  false,
                  new FlywayMigrationEngine())
              .fingerprint();
      Configs.write(dir, String.format(yaml, "    fingerprint: " + fp + "\n"));
      Pipeline p =
          new Pipeline(
              ConfigLoader.load(dir.resolve("prodguard.yml")), ci, new FlywayMigrationEngine());
      p.promote("prod");
      Path byHand = Files.createDirectories(dir.resolve("by-hand"));
      Files.copy(migrations.resolve("V1__items.sql"), byHand.resolve("V1__items.sql"));
      String roleUrl = db.jdbcUrl(role);
      String before = history(roleUrl) + " | " + items(roleUrl);

      Files.writeString(byHand.resolve("V2__ddl.sql"), "CREATE TABLE by_hand (id INT);\n");
      Throwable ddl = catchThrowable(() -> migrate(roleUrl, byHand));
      Files.delete(byHand.resolve("V2__ddl.sql"));
      Files.writeString(byHand.resolve("V2__dml.sql"), "DELETE FROM items;\n");
      Throwable dml = catchThrowable(() -> migrate(roleUrl, byHand));
      Files.delete(byHand.resolve("V2__dml.sql"));
      Files.writeString(
          byHand.resolve("V1__items.sql"),
          Files.readString(byHand.resolve("V1__items.sql")) + "-- edited\n");
      Throwable repair =
          catchThrowable(
              () ->
                  Flyway.configure()
                      .dataSource(roleUrl, null, null)
                      .locations("filesystem:" + byHand)
                      .load()
                      .repair());
      Results.Status status = p.status("prod");

      assertThat(ddl).hasMessageContaining("prodguard: direct migration (INSERT on");
      assertThat(dml).hasMessageContaining("prodguard: direct migration (INSERT on");
      assertThat(repair).hasStackTraceContaining("prodguard: direct migration (UPDATE on");
      assertThat(history(roleUrl) + " | " + items(roleUrl)).isEqualTo(before);
      assertThat(query(roleUrl, "SELECT to_regclass('by_hand') IS NULL")).isEqualTo("t");
      assertThat(status.guards().database().historyGuard())
          .isEqualTo(DatabaseGuards.HistoryGuard.INSTALLED);
      assertThat(status.guards().database().ddlGuard()).isEqualTo(DatabaseGuards.DdlGuard.MISSING);
      assertThat(status.guards().problems())
          .anyMatch(l -> l.contains("DDL guard") && l.contains("superuser"));
    }
  }

  private static void migrate(String url, Path folder) {
    Flyway.configure()
        .dataSource(url, null, null)
        .locations("filesystem:" + folder)
        .load()
        .migrate();
  }

  private static String history(String url) throws SQLException {
    return query(
        url,
        "SELECT string_agg(installed_rank || ':' || version || ':' || checksum || ':' || success,"
            + " ',' ORDER BY installed_rank) FROM flyway_schema_history");
  }

  private static String items(String url) throws SQLException {
    return query(url, "SELECT string_agg(id::text, ',' ORDER BY id) FROM items");
  }

  private static String query(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      return query(c, sql);
    }
  }

  @Test
  @DisplayName(
      "G6: the restore check leaves out the DDL guard's event triggers, so a role without"
          + " superuser backs up a guarded database and restore-checks it")
  void restoreCheckWithoutSuperuser() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      String role = db.createOwnerRole(true);
      Map<String, String> env =
          Map.of("CI", "true", "PROD_DATABASE_URL", db.libpqUrl(role), "GITHUB_ACTOR", "ci");
      RunContext ci = new RunContext(env, Clock.systemUTC(), "runner", "ci-host");
      String yaml =
          "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n%s"
              + "backup: { directory: backups, restore-check: true }\n";
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(dir.resolve("db/migration/V1__t.sql"), "CREATE TABLE t (id INT);\n");
      String fp =
          FingerprintInit.run(
                  Target.prepare(
                      Configs.load(dir, String.format(yaml, "")),
                      "prod",
                      ci,
                      Target.Access.MUTATE,
                      "init"),
                  ci,
                  false,
                  new FlywayMigrationEngine())
              .fingerprint();
      try (Connection admin = db.connect()) {
        assertThat(DatabaseGuards.installDdlGuard(admin, DatabaseSupport.of(admin)).state())
            .isEqualTo(DatabaseGuards.DdlGuard.INSTALLED);
      }
      Configs.write(dir, String.format(yaml, "    fingerprint: " + fp + "\n"));
      Pipeline p =
          new Pipeline(
              ConfigLoader.load(dir.resolve("prodguard.yml")), ci, new FlywayMigrationEngine());

      p.verify("prod");
      Results.Backup b = p.backup("prod", Optional.empty());

      assertThat(b.restoreChecked()).isTrue();
      assertThat(p.deploy("prod", Optional.empty()).applied()).hasSize(1);
      try (Stream<Path> files = Files.list(dir.resolve("backups"))) {
        assertThat(files.map(Path::toString)).noneMatch(n -> n.endsWith(".restore-list"));
      }
    }
  }

  @Test
  @DisplayName(
      "G10: the deploying role gets INSERT and SELECT only on prodguard_audit (PostgreSQL), even"
          + " as its owner with the triggers disabled")
  void auditInsertAndSelectOnly() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      String role = db.createOwnerRole();
      RunContext ci = RunContext.of(Map.of("CI", "true", "PROD_DATABASE_URL", db.libpqUrl(role)));
      FingerprintInit.run(
          Target.prepare(
              Configs.load(
                  dir,
                  "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n"),
              "prod",
              ci,
              Target.Access.MUTATE,
              "init"),
          ci,
          false,
          new FlywayMigrationEngine());
      String roleUrl = db.jdbcUrl().replace("user=postgres", "user=" + role);
      try (Connection c = DriverManager.getConnection(roleUrl)) {
        DatabaseSupport d = DatabaseSupport.of(c);
        assertThat(query(c, "SELECT tableowner FROM pg_tables WHERE tablename = 'prodguard_audit'"))
            .isEqualTo(role);
        AuditLog.append(
            c, d, ci, Optional.empty(), AuditLog.Event.of("test", "prod", "ok", Map.of()));
        exec(c, "ALTER TABLE prodguard_audit DISABLE TRIGGER USER");

        Throwable update = catchThrowable(() -> exec(c, "UPDATE prodguard_audit SET host = 'x'"));
        Throwable delete = catchThrowable(() -> exec(c, "DELETE FROM prodguard_audit"));
        Throwable truncate = catchThrowable(() -> exec(c, "TRUNCATE prodguard_audit"));

        assertThat(update).hasMessageContaining("permission denied");
        assertThat(delete).hasMessageContaining("permission denied");
        assertThat(truncate).hasMessageContaining("permission denied");
        assertThat(
                query(
                    c,
                    "SELECT has_table_privilege('prodguard_audit', 'SELECT')::text || ','"
                        + " || has_table_privilege('prodguard_audit', 'INSERT')::text || ','"
                        + " || has_table_privilege('prodguard_audit', 'UPDATE')::text || ','"
                        + " || has_table_privilege('prodguard_audit', 'DELETE')::text"))
            .isEqualTo("true,true,false,false");
        assertThat(AuditLog.verify(c, Optional.empty()).intact()).isTrue();
      }
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
