package dev.prodguard.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.prodguard.audit.AuditLog;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.flyway.CallbackFile;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.migration.GuardArtifactFiles;
import dev.prodguard.setup.FingerprintInit;
import dev.prodguard.support.DatabaseObjects;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G6 objects on real servers: installed by init-fingerprint (the DDL guard last, only by a
 * superuser), idempotent, versioned in {@code prodguard_schema} with every other prodguard object,
 * and upgraded in place without losing history.
 */
@DisplayName("G6 database objects: installation and upgrades")
class G6GuardObjectsIT {
  static final String BLOCKED =
      "prodguard: direct migration blocked on protected environment 'prod': run 'prodguard"
          + " promote prod' from CI";

  @TempDir Path dir;

  private final FlywayMigrationEngine engine = new FlywayMigrationEngine();

  /** init-fingerprint prod for the Flyway engine: its callback, its history table when there. */
  private FingerprintInit.Result init(String url) throws SQLException {
    ProdguardConfig config =
        Configs.load(
            dir,
            "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n"
                + "migrations:\n  locations: [db/migration]\n");
    RunContext ci = RunContext.of(Map.of("CI", "true", "PROD_DATABASE_URL", url));
    return FingerprintInit.run(
        Target.prepare(config, "prod", ci, Target.Access.MUTATE, "init-fingerprint prod"),
        ci,
        false,
        engine);
  }

  private ProdguardConfig config() {
    return Configs.load(
        dir,
        "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n"
            + "migrations:\n  locations: [db/migration]\n");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: init-fingerprint installs the assert, the protected flag, the callback and (PostgreSQL"
          + " superuser) the DDL guard; again, it changes nothing and runs no DDL")
  void installIdempotent(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      DatabaseSupport d = DatabaseSupport.of(kind);
      FingerprintInit.Result first = init(db.libpqUrl());
      FingerprintInit.Result again = init(db.libpqUrl());

      assertThat(first.guards().artifacts())
          .extracting(GuardArtifactFiles.Write::written, GuardArtifactFiles.Write::path)
          .containsExactly(
              tuple(GuardArtifactFiles.Written.CREATED, "db/migration/beforeEachMigrate.sql"));
      assertThat(Files.readString(dir.resolve("db/migration/beforeEachMigrate.sql")))
          .isEqualTo(CallbackFile.expected(d))
          .endsWith("\n" + d.assertDeployWhereInstalled() + ";\n")
          .contains("DO NOT DELETE OR EDIT THIS FILE");
      assertThat(again.outcome()).isEqualTo(FingerprintInit.Outcome.UNCHANGED);
      assertThat(again.guards().artifacts().get(0).written())
          .isEqualTo(GuardArtifactFiles.Written.UNCHANGED);
      assertThat(again.guards().ddlGuard().changed()).isFalse();
      try (Connection c = DriverManager.getConnection(db.jdbcUrl())) {
        DatabaseGuards.Installed in = DatabaseGuards.installed(c, d, Optional.empty());
        assertThat(in.assertInstalled()).isTrue();
        assertThat(in.databaseProtected()).contains(true);
        assertThat(in.ddlGuard())
            .isEqualTo(
                kind == DatabaseKind.POSTGRESQL
                    ? DatabaseGuards.DdlGuard.INSTALLED
                    : DatabaseGuards.DdlGuard.UNSUPPORTED);
        assertThat(PipelineSchema.installedVersions(c, d))
            .allSatisfy((comp, v) -> assertThat(v).as(comp.id).isEqualTo(comp.latest));
        // Current objects: an unregistered session may "install" them, because nothing runs.
        PipelineSchema.ensure(c, d);
        AuditLog.install(c, d);
        // ...yet it is not approved for a migration.
        assertThat(catchThrowable(() -> call(c, d.assertDeployCall())))
            .hasMessageContaining(BLOCKED);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: objects of an older prodguard (pipeline 1, unversioned audit) are upgraded in place,"
          + " keeping runs and the audit chain")
  void upgradeKeepsHistory(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = DriverManager.getConnection(db.jdbcUrl())) {
      DatabaseSupport d = DatabaseSupport.of(kind);
      try (Statement st = c.createStatement()) {
        for (String ddl : d.objects().metadataTable()) {
          st.execute(ddl);
        }
        st.execute(
            "INSERT INTO database_metadata (id, environment, fingerprint, server_identity,"
                + " created_by) VALUES (1, 'prod', 'prod-"
                + "0123456789abcdef".repeat(2)
                + "', 'older', 'ci')");
        for (String ddl : d.objects().statements("pipeline", 1)) {
          st.execute(ddl);
        }
        for (String ddl : d.objects().statements("audit", 1)) {
          st.execute(ddl);
        }
        st.execute("INSERT INTO prodguard_schema (component, version) VALUES ('pipeline', 1)");
        st.execute(
            "INSERT INTO prodguard_run (id, environment, status, migration_set_sha256,"
                + " migration_count, migrations, ci_subject, created_by, created_at, verified_at,"
                + " verification_expires_at, expires_at, updated_at) VALUES ('run-000000000001',"
                + " 'prod', 'deployed', '"
                + "a".repeat(64)
                + "', 1, 'V1__a.sql', 'ci', 'ci', '2024-01-01 00:00:00', '2024-01-01 00:00:00',"
                + " '2024-01-01 00:30:00', '2024-01-01 00:30:00', '2024-01-01 00:10:00')");
      }
      RunContext ctx = RunContext.of(Map.of());
      AuditLog.append(
          c,
          d,
          ctx,
          Optional.empty(),
          new AuditLog.Event(
              "deploy prod",
              "prod",
              Optional.of("run-000000000001"), // as the pipeline records it (G10 cross-check)
              Optional.empty(),
              "deployed",
              Map.of()));
      AuditLog.append(
          c, d, ctx, Optional.empty(), AuditLog.Event.of("status prod", "prod", "ok", Map.of()));
      assertThat(PipelineSchema.installedVersions(c, d).get(PipelineSchema.Component.GUARDS))
          .isZero();

      PipelineSchema.ensure(c, d);

      assertThat(PipelineSchema.installedVersions(c, d))
          .allSatisfy((comp, v) -> assertThat(v).as(comp.id).isEqualTo(comp.latest));
      assertThat(query(c, "SELECT COUNT(*) FROM prodguard_run")).isEqualTo("1");
      assertThat(query(c, "SELECT COUNT(*) FROM prodguard_session")).isEqualTo("0");
      assertThat(query(c, "SELECT COUNT(*) FROM prodguard_sync_change")).isEqualTo("0");
      AuditLog.Verification v = AuditLog.verify(c, Optional.empty());
      assertThat(v.intact()).isTrue();
      assertThat(v.rows()).isEqualTo(2);
      assertThat(DatabaseGuards.installed(c, d, Optional.empty()).assertInstalled()).isTrue();
      // No guard configuration yet (init-fingerprint writes it): the assert fails closed.
      assertThat(catchThrowable(() -> call(c, d.assertDeployCall())))
          .hasMessageContaining("prodguard: direct migration blocked")
          .hasMessageContaining("prodguard_guard_config is empty");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G6: the assert fails closed when prodguard's tables are missing")
  void failClosedWithoutTables(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      init(db.libpqUrl());
      DatabaseSupport d = DatabaseSupport.of(kind);
      db.execute("DROP TABLE prodguard_guard_config");
      try (Connection c = DriverManager.getConnection(db.jdbcUrl())) {
        assertThat(catchThrowable(() -> call(c, d.assertDeployCall())))
            .hasMessageContaining("prodguard: direct migration blocked")
            .hasMessageContaining("missing or damaged");
      }
    }
  }

  @Test
  @DisplayName(
      "G6: an upgrade on protected PostgreSQL pauses the DDL guard for its own transaction and"
          + " leaves it enabled")
  void upgradePastDdlGuard() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      init(db.libpqUrl());
      DatabaseSupport d = DatabaseSupport.of(DatabaseKind.POSTGRESQL);
      db.execute(
          "DROP TABLE prodguard_session",
          "UPDATE prodguard_schema SET version = 1 WHERE component = 'pipeline'");
      try (Connection c = DriverManager.getConnection(db.jdbcUrl())) {
        assertThat(DatabaseGuards.ddlGuard(c, d)).isEqualTo(DatabaseGuards.DdlGuard.INSTALLED);

        PipelineSchema.ensure(c, d);

        assertThat(PipelineSchema.installedVersion(c, d)).isEqualTo(PipelineSchema.VERSION);
        assertThat(query(c, "SELECT COUNT(*) FROM prodguard_session")).isEqualTo("0");
        assertThat(DatabaseGuards.ddlGuard(c, d)).isEqualTo(DatabaseGuards.DdlGuard.INSTALLED);
        assertThat(
                query(
                    c,
                    "SELECT string_agg(evtenabled::text, '') FROM pg_event_trigger"
                        + " WHERE evtname LIKE 'prodguard_ddl_guard%'"))
            .isEqualTo("AAA"); // ddl_command_start, sql_drop, ddl_command_end (TRUNCATE guard)
        assertThat(catchThrowable(() -> call(c, "CREATE TABLE after_upgrade (id int)")))
            .hasMessageContaining("prodguard: DDL (CREATE TABLE) blocked");
      }
    }
  }

  @Test
  @DisplayName(
      "G6: init-fingerprint without a superuser installs the assert and the callback, says the DDL"
          + " guard needs one, and an upgrade past a superuser's DDL guard is refused, changing"
          + " nothing")
  void withoutSuperuser() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      String role = db.createOwnerRole();
      DatabaseSupport d = DatabaseSupport.of(DatabaseKind.POSTGRESQL);

      FingerprintInit.Result r = init(db.libpqUrl(role));

      assertThat(r.guards().ddlGuard().state()).isEqualTo(DatabaseGuards.DdlGuard.MISSING);
      assertThat(r.guards().ddlGuard().note().orElseThrow())
          .contains("role '" + role + "' is not a superuser");
      assertThat(r.guards().artifacts().get(0).written())
          .isEqualTo(GuardArtifactFiles.Written.CREATED);
      String roleUrl = db.jdbcUrl().replace("user=postgres", "user=" + role);
      try (Connection c = DriverManager.getConnection(roleUrl)) {
        assertThat(DatabaseGuards.installed(c, d, Optional.empty()).assertInstalled()).isTrue();
        assertThat(catchThrowable(() -> call(c, d.assertDeployCall())))
            .hasMessageContaining(BLOCKED);
        // Without the DDL guard, DDL typed by hand is not stopped: the gap status shows.
        call(c, "CREATE TABLE typed_by_hand (id int)");
      }

      // A superuser installs the guard later; then an older installation cannot be upgraded by
      // the role, and nothing changes.
      try (Connection admin = db.connect()) {
        assertThat(DatabaseGuards.installDdlGuard(admin, d).state())
            .isEqualTo(DatabaseGuards.DdlGuard.INSTALLED);
      }
      db.execute(
          "DROP TABLE prodguard_session",
          "UPDATE prodguard_schema SET version = 1 WHERE component = 'pipeline'");
      try (Connection c = DriverManager.getConnection(roleUrl)) {
        GuardRefusal refused =
            catchThrowableOfType(GuardRefusal.class, () -> PipelineSchema.ensure(c, d));

        assertThat(refused.guarantee()).isEqualTo(Guarantee.G6);
        assertThat(refused.why()).contains("pipeline 1 < 2", "cannot pause it");
        assertThat(refused.fix()).contains("prodguard init-fingerprint ENV", "superuser");
        assertThat(PipelineSchema.installedVersion(c, d)).isEqualTo(1);
        assertThat(query(c, "SELECT to_regclass('prodguard_session') IS NULL")).isEqualTo("t");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: init-fingerprint upgrades a repository: prodguard's old beforeMigrate.sql (its exact"
          + " content, any line endings) is removed and beforeEachMigrate.sql written; a team's own"
          + " beforeMigrate.sql stays; one that still calls the assert stays and is reported stale")
  void legacyCallbackUpgrade(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      DatabaseSupport d = DatabaseSupport.of(kind);
      Path folder = dir.resolve("db/migration");
      Files.createDirectories(folder);
      Path legacy = folder.resolve(CallbackFile.LEGACY_NAME);
      Files.writeString(legacy, CallbackFile.legacy(d).replace("\n", "\r\n"));
      assertThat(engine.checkGuardArtifacts(config(), d).get(0).stale())
          .extracting(GuardArtifactFiles.Stale::path, GuardArtifactFiles.Stale::removable)
          .containsExactly(tuple("db/migration/beforeMigrate.sql", true));

      FingerprintInit.Result upgraded = init(db.libpqUrl());
      GuardArtifactFiles.Check afterUpgrade = engine.checkGuardArtifacts(config(), d).get(0);

      String own = "-- our own, before every migrate\nSET @team_setting = 1;\n";
      Files.writeString(legacy, own);
      FingerprintInit.Result withOwn = init(db.libpqUrl());
      String ownAfter = Files.readString(legacy);
      String edited = CallbackFile.legacy(d) + "-- edited by the team\n";
      Files.writeString(legacy, edited);
      FingerprintInit.Result withEdited = init(db.libpqUrl());
      GuardStatus status;
      try (Connection c = DriverManager.getConnection(db.jdbcUrl())) {
        status = GuardStatus.read(c, d, config(), config().environment("prod"), engine);
      }

      assertThat(upgraded.guards().artifacts().get(0).removed())
          .extracting(GuardArtifactFiles.Removed::fileName)
          .containsExactly(CallbackFile.LEGACY_NAME);
      assertThat(upgraded.guards().artifacts().get(0).written())
          .isEqualTo(GuardArtifactFiles.Written.CREATED);
      assertThat(afterUpgrade.state()).isEqualTo(GuardArtifactFiles.State.OK);
      assertThat(afterUpgrade.stale()).isEmpty();
      assertThat(Files.readString(folder.resolve(CallbackFile.NAME)))
          .isEqualTo(CallbackFile.expected(d));
      assertThat(withOwn.guards().artifacts().get(0).removed()).isEmpty();
      assertThat(ownAfter).isEqualTo(own);
      assertThat(withEdited.guards().artifacts().get(0).removed()).isEmpty();
      assertThat(Files.readString(legacy)).isEqualTo(edited);
      assertThat(status.artifacts().get(0).stale())
          .extracting(GuardArtifactFiles.Stale::path, GuardArtifactFiles.Stale::removable)
          .containsExactly(tuple("db/migration/beforeMigrate.sql", false));
      assertThat(status.problems())
          .anyMatch(p -> p.contains("db/migration/beforeMigrate.sql is stale"));
      assertThat(status.toJson().get("callback").toString()).contains("stale");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: prodguard's previous beforeEachMigrate.sql (one unconditional call) still guards: ok for"
          + " verify, reported stale by status, and init-fingerprint rewrites it to the call made"
          + " only where prodguard set the database up")
  void previousCallbackUpgrade(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      DatabaseSupport d = DatabaseSupport.of(kind);
      Path folder = Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(folder.resolve(CallbackFile.NAME), CallbackFile.previous(d));
      GuardArtifactFiles.Check before = engine.checkGuardArtifacts(config(), d).get(0);

      FingerprintInit.Result upgraded = init(db.libpqUrl());
      GuardArtifactFiles.Check after = engine.checkGuardArtifacts(config(), d).get(0);

      assertThat(before.state()).isEqualTo(GuardArtifactFiles.State.OK);
      assertThat(before.stale())
          .singleElement()
          .satisfies(
              st -> {
                assertThat(st.path()).isEqualTo("db/migration/beforeEachMigrate.sql");
                assertThat(st.problem()).contains("init-fingerprint", "fresh dev database");
              });
      assertThat(upgraded.guards().artifacts().get(0).written())
          .isEqualTo(GuardArtifactFiles.Written.REPLACED);
      assertThat(upgraded.guards().artifacts().get(0).removed()).isEmpty();
      assertThat(Files.readString(folder.resolve(CallbackFile.NAME)))
          .isEqualTo(CallbackFile.expected(d));
      assertThat(after.state()).isEqualTo(GuardArtifactFiles.State.OK);
      assertThat(after.stale()).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: init-fingerprint guards an existing flyway_schema_history (on PostgreSQL past its own"
          + " DDL guard, paused for its transaction only), idempotently; then rows written by"
          + " hand are refused")
  void historyGuardInstalled(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      DatabaseSupport d = DatabaseSupport.of(kind);
      init(db.libpqUrl());
      // An existing Flyway project adopting prodguard: the history table is already there.
      db.execute(
          "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version"
              + " VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL,"
              + " script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL,"
              + " installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT"
              + " NOT NULL, success "
              + (kind == DatabaseKind.POSTGRESQL ? "BOOLEAN" : "TINYINT(1)")
              + " NOT NULL)",
          "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
              + " checksum, installed_by, execution_time, success) VALUES (1, '1', 'init', 'SQL',"
              + " 'V1__init.sql', 7, 'someone', 1, "
              + (kind == DatabaseKind.POSTGRESQL ? "true" : "1")
              + ")");

      FingerprintInit.Result first = init(db.libpqUrl());
      FingerprintInit.Result again = init(db.libpqUrl());

      assertThat(first.guards().historyGuard().state())
          .isEqualTo(DatabaseGuards.HistoryGuard.INSTALLED);
      assertThat(first.guards().historyGuard().changed()).isTrue();
      assertThat(again.guards().historyGuard().changed()).isFalse();
      try (Connection c = DriverManager.getConnection(db.jdbcUrl())) {
        assertThat(
                DatabaseGuards.installed(c, d, Optional.of("flyway_schema_history")).historyGuard())
            .isEqualTo(DatabaseGuards.HistoryGuard.INSTALLED);
        if (kind == DatabaseKind.POSTGRESQL) {
          assertThat(DatabaseGuards.ddlGuard(c, d)).isEqualTo(DatabaseGuards.DdlGuard.INSTALLED);
          assertThat(
                  query(
                      c,
                      "SELECT string_agg(evtenabled::text, '') FROM pg_event_trigger"
                          + " WHERE evtname LIKE 'prodguard_ddl_guard%'"))
              .isEqualTo("AAA"); // ddl_command_start, sql_drop, ddl_command_end (TRUNCATE guard)
        }
        assertThat(catchThrowable(() -> call(c, "DELETE FROM flyway_schema_history")))
            .hasMessageContaining(
                "prodguard: direct migration (DELETE on flyway_schema_history) blocked on"
                    + " protected environment 'prod'");
        assertThat(query(c, "SELECT COUNT(*) FROM flyway_schema_history")).isEqualTo("1");
      }
    }
  }

  @Test
  @DisplayName(
      "G6: prodguard's protective triggers (the audit's and the history table's) are ENABLE"
          + " ALWAYS: session_replication_role = replica does not skip them")
  void triggersEnabledAlways() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      init(db.libpqUrl());
      db.execute(
          "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version"
              + " VARCHAR(50), success BOOLEAN NOT NULL)",
          "INSERT INTO flyway_schema_history VALUES (1, '1', true)");
      init(db.libpqUrl());
      try (Connection c = DriverManager.getConnection(db.jdbcUrl())) {
        AuditLog.append(
            c,
            DatabaseSupport.of(c),
            RunContext.of(Map.of()),
            Optional.empty(),
            AuditLog.Event.of("test", "prod", "ok", Map.of()));
        String audit = query(c, "SELECT COUNT(*) FROM prodguard_audit");
        call(c, "SET session_replication_role = replica");

        Throwable deleteAudit = catchThrowable(() -> call(c, "DELETE FROM prodguard_audit"));
        Throwable truncateAudit = catchThrowable(() -> call(c, "TRUNCATE prodguard_audit"));
        Throwable history =
            catchThrowable(() -> call(c, "UPDATE flyway_schema_history SET version = '9'"));

        assertThat(deleteAudit).hasMessageContaining("prodguard_audit is append-only");
        assertThat(truncateAudit).hasMessageContaining("prodguard_audit is append-only");
        assertThat(history).hasMessageContaining("prodguard: direct migration (UPDATE");
        call(c, "SET session_replication_role = origin");
        assertThat(query(c, "SELECT COUNT(*) FROM prodguard_audit")).isEqualTo(audit);
        assertThat(query(c, "SELECT version FROM flyway_schema_history")).isEqualTo("1");
        assertThat(
                query(
                    c,
                    "SELECT string_agg(tgname || '=' || tgenabled::text, ',' ORDER BY tgname)"
                        + " FROM pg_trigger WHERE NOT tgisinternal"))
            .isEqualTo(
                "prodguard_audit_no_change=A,prodguard_audit_no_truncate=A,"
                    + "prodguard_history_guard=A"
                    // one per prodguard table (guards version 3, drift version 1): only the
                    // owners write them
                    + ",prodguard_owner_write=A".repeat(DatabaseObjects.TABLES.size()));
      }
    }
  }

  @Test
  @DisplayName(
      "G6: on PostgreSQL an application role granted every write on the schema's tables cannot"
          + " write prodguard's tables (switch protection off, forge a session, empty a run);"
          + " their owner still can")
  void applicationRoleCannotWriteProdguardTables() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      init(db.libpqUrl());
      String app = db.createLoginRole();
      db.execute(
          "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO "
              + app);
      String appUrl = db.jdbcUrl().replace("user=postgres", "user=" + app);
      try (Connection c = DriverManager.getConnection(appUrl)) {
        Throwable config =
            catchThrowable(() -> call(c, "UPDATE prodguard_guard_config SET protected = false"));
        Throwable session =
            catchThrowable(
                () ->
                    call(
                        c,
                        "INSERT INTO prodguard_session (session_id, run_id, token_sha256)"
                            + " VALUES (pg_backend_pid(), 'run-1', repeat('0', 64))"));
        Throwable run = catchThrowable(() -> call(c, "DELETE FROM prodguard_run"));
        Throwable metadata = catchThrowable(() -> call(c, "TRUNCATE database_metadata"));
        Throwable audit =
            catchThrowable(
                () ->
                    call(
                        c,
                        "INSERT INTO prodguard_audit VALUES (99, 'now', 'u', 'h', NULL, 'x',"
                            + " 'prod', NULL, NULL, 'ok', '{}', 'p', 'h')"));

        for (Throwable t : List.of(config, session, run, metadata, audit)) {
          assertThat(t)
              .hasMessageContaining("refused: only the owner of prodguard's tables")
              .hasMessageContaining(app);
        }
        assertThat(query(c, "SELECT protected::text FROM prodguard_guard_config"))
            .isEqualTo("true");
        assertThat(query(c, "SELECT COUNT(*) FROM database_metadata")).isEqualTo("1");
      }
      try (Connection owner = DriverManager.getConnection(db.jdbcUrl())) {
        call(owner, "UPDATE prodguard_guard_config SET updated_by = 'owner'");
        assertThat(query(owner, "SELECT updated_by FROM prodguard_guard_config"))
            .isEqualTo("owner");
      }
    }
  }

  @Test
  @DisplayName(
      "G6 (attacker 11): init-fingerprint puts the TRUNCATE guard on every application table that"
          + " exists, in every schema, also when it upgrades a DDL guard installed before it (two"
          + " event triggers: status 'missing' until then); TRUNCATE by hand, even a superuser's,"
          + " is refused and the rows stay; prodguard's own tables keep their own guard only")
  void truncateGuardOnExistingTables() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      db.execute(
          "CREATE SCHEMA app",
          "CREATE TABLE app.orders (id int PRIMARY KEY)",
          "INSERT INTO app.orders VALUES (1), (2)",
          "CREATE TABLE items (id int)",
          "INSERT INTO items VALUES (1)");
      init(db.libpqUrl());
      DatabaseSupport d = DatabaseSupport.of(DatabaseKind.POSTGRESQL);
      // a DDL guard as installed before the TRUNCATE guard: two event triggers, no table triggers
      db.execute(
          "DROP EVENT TRIGGER prodguard_ddl_guard_end",
          "DROP TRIGGER prodguard_truncate_guard ON app.orders",
          "DROP TRIGGER prodguard_truncate_guard ON items");
      try (Connection c = DriverManager.getConnection(db.jdbcUrl())) {
        assertThat(DatabaseGuards.ddlGuard(c, d)).isEqualTo(DatabaseGuards.DdlGuard.MISSING);
        call(c, "TRUNCATE items"); // what attacker 11 did
        call(c, "INSERT INTO items VALUES (1)");
      }

      init(db.libpqUrl());

      try (Connection c = DriverManager.getConnection(db.jdbcUrl())) {
        assertThat(DatabaseGuards.ddlGuard(c, d)).isEqualTo(DatabaseGuards.DdlGuard.INSTALLED);
        assertThat(
                query(
                    c,
                    "SELECT string_agg(n.nspname || '.' || r.relname || ':' || g.tgenabled::text, ','"
                        + " ORDER BY n.nspname, r.relname) FROM pg_trigger g"
                        + " JOIN pg_class r ON r.oid = g.tgrelid"
                        + " JOIN pg_namespace n ON n.oid = r.relnamespace"
                        + " WHERE g.tgname = 'prodguard_truncate_guard'"))
            .isEqualTo("app.orders:A,public.items:A");
        assertThat(catchThrowable(() -> call(c, "TRUNCATE app.orders")))
            .hasMessageContaining(
                "prodguard: TRUNCATE of app.orders blocked on protected environment 'prod'");
        assertThat(catchThrowable(() -> call(c, "TRUNCATE items, app.orders CASCADE")))
            .hasMessageContaining("prodguard: TRUNCATE of");
        assertThat(query(c, "SELECT count(*) FROM app.orders")).isEqualTo("2");
        assertThat(query(c, "SELECT count(*) FROM items")).isEqualTo("1");
      }
    }
  }

  private static void call(Connection c, String sql) throws SQLException {
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
