package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.flyway.CallbackFile;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G6 against the real Flyway API, configured the way a user would ({@code
 * Flyway.configure().dataSource(...).locations("filesystem:...")}), on a protected, fingerprinted
 * database that a guarded deploy has migrated: every Flyway command that can change it fails inside
 * the database and changes nothing (tables, rows, schema history), whether or not the folder holds
 * prodguard's callback; an application whose start-up runs Flyway with nothing pending starts; the
 * guarded deploy still passes. The hand-run uses the environment's own credential ({@code url}: on
 * MariaDB the application account of the role split, on PostgreSQL the server's superuser).
 */
@DisplayName("G6 Flyway run by hand against a protected database")
class G6HandRunFlywayIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: Flyway migrate by hand from a folder without the callback fails for a DDL migration and"
          + " for a DML-only migration, changing nothing; the guarded deploy still passes and"
          + " writes its history rows")
  void migrateWithoutCallback(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      Path folder = folderWithoutCallback(f);
      String before = state(f);

      write(folder, "V2__by_hand.sql", "CREATE TABLE by_hand (id INT PRIMARY KEY);\n");
      Throwable ddl = catchThrowable(() -> flyway(f, folder).load().migrate());
      String afterDdl = state(f);
      Files.delete(folder.resolve("V2__by_hand.sql"));
      write(
          folder,
          "V2__fix_data.sql",
          "UPDATE items SET name = 'changed by hand';\nINSERT INTO items VALUES (4, 'four');\n");
      Throwable dml = catchThrowable(() -> flyway(f, folder).load().migrate());
      String afterDml = state(f);

      assertThat(ddl).isInstanceOf(FlywayException.class);
      assertThat(dml).isInstanceOf(FlywayException.class);
      assertThat(dml.getMessage()).containsAnyOf(refusals(kind));
      assertThat(afterDdl).isEqualTo(before);
      assertThat(afterDml).isEqualTo(before);
      assertThat(f.tableExists("by_hand")).isFalse();

      f.migration("V2__guarded.sql", "CREATE TABLE guarded (id INT PRIMARY KEY);\n");
      Results.Promote promoted = f.pipeline().promote("prod");
      assertThat(promoted.deploy().orElseThrow().applied())
          .extracting(MigrationEngine.Applied::script)
          .containsExactly("V2__guarded.sql");
      assertThat(f.tableExists("guarded")).isTrue();
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2' AND"
                      + " script = 'V2__guarded.sql'"))
          .contains("1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: Flyway clean with cleanDisabled(false) fails; every table, prodguard_audit included, is"
          + " still there with its rows")
  void cleanRefused(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      String before = state(f);
      String audit = f.query("SELECT COUNT(*) FROM prodguard_audit").orElseThrow();

      Throwable withCallback =
          catchThrowable(() -> flyway(f, f.migrations).cleanDisabled(false).load().clean());
      Throwable withoutCallback =
          catchThrowable(
              () -> flyway(f, folderWithoutCallback(f)).cleanDisabled(false).load().clean());

      assertThat(withCallback).isInstanceOf(FlywayException.class);
      assertThat(withoutCallback).isInstanceOf(FlywayException.class);
      assertThat(state(f)).isEqualTo(before);
      assertThat(f.tableExists("prodguard_audit")).isTrue();
      assertThat(f.query("SELECT COUNT(*) FROM prodguard_audit")).contains(audit);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: Flyway repair after an applied migration was edited fails and leaves the history rows"
          + " as they were")
  void repairRefused(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      Path folder = folderWithoutCallback(f);
      Files.writeString(
          folder.resolve("V1__items.sql"),
          Files.readString(folder.resolve("V1__items.sql")) + "-- edited after the deploy\n");
      String before = state(f);

      Throwable withoutCallback = catchThrowable(() -> flyway(f, folder).load().repair());
      Files.writeString(
          f.migrations.resolve("V1__items.sql"), Files.readString(folder.resolve("V1__items.sql")));
      Throwable withCallback = catchThrowable(() -> flyway(f, f.migrations).load().repair());

      assertThat(withoutCallback).isInstanceOf(FlywayException.class);
      assertThat(stackTrace(withoutCallback)).containsAnyOf(refusals(kind));
      assertThat(withCallback).isInstanceOf(FlywayException.class);
      assertThat(stackTrace(withCallback)).containsAnyOf(refusals(kind));
      assertThat(state(f)).isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: Flyway baseline fails, into the existing history table and into a new one (also as"
          + " baselineOnMigrate), changing nothing")
  void baselineRefused(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      Path folder = folderWithoutCallback(f);
      write(folder, "V2__after_baseline.sql", "INSERT INTO items VALUES (5, 'five');\n");
      String before = state(f);

      Throwable existing =
          catchThrowable(() -> flyway(f, folder).baselineVersion("1").load().baseline());
      Throwable fresh =
          catchThrowable(() -> flyway(f, folder).table("flyway_history_by_hand").load().baseline());
      Throwable onMigrate =
          catchThrowable(
              () ->
                  flyway(f, folder)
                      .table("flyway_history_by_hand")
                      .baselineOnMigrate(true)
                      .baselineVersion("1")
                      .load()
                      .migrate());

      assertThat(existing).isInstanceOf(FlywayException.class);
      assertThat(fresh).isInstanceOf(FlywayException.class);
      assertThat(onMigrate).isInstanceOf(FlywayException.class);
      assertThat(f.tableExists("flyway_history_by_hand")).isFalse();
      assertThat(state(f)).isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: rows of flyway_schema_history edited by hand (INSERT, UPDATE, DELETE, TRUNCATE) are"
          + " refused")
  void historyEditsRefused(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      String before = state(f);
      List<Throwable> attempts = new ArrayList<>();
      List<Throwable> asDeployer = new ArrayList<>();
      List<String> edits =
          List.of(
              "UPDATE flyway_schema_history SET checksum = 42 WHERE version = '1'",
              "DELETE FROM flyway_schema_history",
              "INSERT INTO flyway_schema_history (installed_rank, version, description, type,"
                  + " script, checksum, installed_by, execution_time, success) VALUES (99, '99',"
                  + " 'forged', 'SQL', 'V99__forged.sql', 1, 'someone', 0, "
                  + (kind == DatabaseKind.POSTGRESQL ? "true" : "1")
                  + ")",
              "TRUNCATE TABLE flyway_schema_history");
      try (Connection c = DriverManager.getConnection(f.appJdbcUrl())) {
        for (String sql : edits) {
          attempts.add(catchThrowable(() -> exec(c, sql)));
        }
      }
      // the deploying credential has the rights: only the history guard stops it outside a deploy
      try (Connection c = DriverManager.getConnection(f.db.jdbcUrl())) {
        for (String sql : edits.subList(0, 3)) {
          asDeployer.add(catchThrowable(() -> exec(c, sql)));
        }
      }

      assertThat(attempts).allSatisfy(t -> assertThat(t).isInstanceOf(SQLException.class));
      assertThat(attempts.subList(0, 3))
          .allSatisfy(t -> assertThat(t.getMessage()).containsAnyOf(refusals(kind)));
      assertThat(asDeployer)
          .allSatisfy(t -> assertThat(t).hasMessageContaining("prodguard: direct migration"));
      assertThat(state(f)).isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: an application whose start-up runs Flyway with nothing pending starts, with the"
          + " repository's folder (callback included) and with a folder without the callback,"
          + " and changes nothing; once a DML-only migration is pending, the callback refuses it")
  void startUpWithNothingPending(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      String before = state(f);

      MigrateResult withCallback = flyway(f, f.migrations).load().migrate();
      MigrateResult withoutCallback = flyway(f, folderWithoutCallback(f)).load().migrate();
      String afterStartUp = state(f);
      f.migration("V2__fix_data.sql", "DELETE FROM items WHERE id = 1;\n");
      Throwable pending = catchThrowable(() -> flyway(f, f.migrations).load().migrate());

      assertThat(Files.exists(f.migrations.resolve(CallbackFile.NAME))).isTrue();
      assertThat(withCallback.success).isTrue();
      assertThat(withCallback.migrationsExecuted).isZero();
      assertThat(withoutCallback.success).isTrue();
      assertThat(withoutCallback.migrationsExecuted).isZero();
      assertThat(afterStartUp).isEqualTo(before);
      assertThat(pending)
          .isInstanceOf(FlywayException.class)
          .hasMessageContaining("Error while executing beforeEachMigrate callback")
          .hasMessageContaining(G6DirectMigrationIT.BLOCKED);
      assertThat(state(f)).isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: plain Flyway with the committed callback migrates a database prodguard never set up (a"
          + " developer's fresh database, the project's tests), while on the protected database a"
          + " hand-run migrate is still refused and dropping the assert, to take the callback's"
          + " other branch, is refused too")
  void uninitialisedDatabaseMigrates(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind);
        TestDatabase fresh = TestDatabase.create(kind)) {
      assertThat(Files.readString(f.migrations.resolve(CallbackFile.NAME)))
          .isEqualTo(CallbackFile.expected(DatabaseSupport.of(kind)));
      f.migration("V2__fix_data.sql", "UPDATE items SET name = 'fixed' WHERE id = 1;\n");

      MigrateResult plain =
          Flyway.configure()
              .dataSource(fresh.jdbcUrl(), null, null)
              .locations("filesystem:" + f.migrations)
              .load()
              .migrate();
      assertThat(plain.success).isTrue();
      assertThat(plain.migrationsExecuted).isEqualTo(2);

      // The protected database: the callback still calls the assert, which refuses.
      String before = state(f);
      Throwable handRun = catchThrowable(() -> flyway(f, f.migrations).load().migrate());
      assertThat(handRun)
          .isInstanceOf(FlywayException.class)
          .hasMessageContaining("Error while executing beforeEachMigrate callback")
          .hasMessageContaining(G6DirectMigrationIT.BLOCKED);
      assertThat(state(f)).isEqualTo(before);

      // The other branch is taken only where prodguard has no objects: the assert cannot be
      // dropped by the environment's own credential (PostgreSQL: the DDL guard; MySQL/MariaDB:
      // the role split leaves it no privilege to).
      String drop =
          kind == DatabaseKind.POSTGRESQL
              ? "DROP FUNCTION prodguard_assert_deploy()"
              : "DROP PROCEDURE prodguard_assert_deploy";
      Throwable dropped;
      try (Connection c = DriverManager.getConnection(f.appJdbcUrl())) {
        dropped = catchThrowable(() -> exec(c, drop));
      }
      assertThat(dropped)
          .isInstanceOf(SQLException.class)
          .hasMessageContaining(
              kind == DatabaseKind.POSTGRESQL
                  ? "prodguard: DDL (DROP FUNCTION) blocked"
                  : "denied");
      assertThat(catchThrowable(() -> flyway(f, f.migrations).load().migrate()))
          .hasMessageContaining(G6DirectMigrationIT.BLOCKED);
      assertThat(state(f)).isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: a project's afterMigrate callback with DDL, which makes every start-up migration fail on"
          + " the protected database, is refused by verify naming the file, why and the fix; as"
          + " afterMigrateApplied it runs in the deploy and the start-up passes")
  void everyMigrateCallbackRefusedBeforeItBites(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      String views =
          "DROP VIEW IF EXISTS item_names;\nCREATE VIEW item_names AS SELECT name FROM items;\n";
      write(f.migrations, "afterMigrate__views.sql", views);
      // what the application meets at its next start, with nothing pending
      Throwable startUp = catchThrowable(() -> flyway(f, f.migrations).load().migrate());
      assertThat(startUp).isInstanceOf(FlywayException.class).hasMessageContaining("afterMigrate");

      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
      Throwable verify = catchThrowable(() -> f.pipeline().verify("prod"));
      assertThat(verify)
          .isInstanceOfSatisfying(
              dev.prodguard.db.GuardRefusal.class,
              r ->
                  assertThat(r.why())
                      .contains(
                          "afterMigrate__views.sql",
                          "[every-migrate-callback-ddl]",
                          "on every migrate, nothing pending included",
                          "fix: Rename it to an afterMigrateApplied callback"));
      assertThat(f.tableExists("more_items")).isFalse();

      Files.move(
          f.migrations.resolve("afterMigrate__views.sql"),
          f.migrations.resolve("afterMigrateApplied__views.sql"));
      f.pipeline().promote("prod");
      assertThat(f.tableExists("more_items")).isTrue();
      MigrateResult restart = flyway(f, f.migrations).load().migrate();
      assertThat(restart.success).isTrue();
      assertThat(restart.migrationsExecuted).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: init-fingerprint of a protected environment refuses, before it writes anything, while a"
          + " callback Flyway runs on every migrate changes the schema: with the guard in, the"
          + " running application's next start would fail (new user 19/1, alf.io's afterMigrate"
          + " views)")
  void initFingerprintRefusesEveryMigrateSchemaChanges(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      write(
          f.migrations,
          "afterMigrate__views.sql",
          "DROP VIEW IF EXISTS item_names;\nCREATE VIEW item_names AS SELECT name FROM items;\n");
      long auditRows =
          Long.parseLong(f.query("SELECT COUNT(*) FROM prodguard_audit").orElseThrow());
      Throwable init =
          catchThrowable(
              () ->
                  dev.prodguard.setup.FingerprintInit.run(
                      dev.prodguard.environment.Target.prepare(
                          f.config(),
                          "prod",
                          f.ci(),
                          dev.prodguard.environment.Target.Access.MUTATE,
                          "init-fingerprint prod"),
                      f.ci(),
                      false,
                      new dev.prodguard.flyway.FlywayMigrationEngine()));
      assertThat(init)
          .isInstanceOfSatisfying(
              dev.prodguard.db.GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(dev.prodguard.db.Guarantee.G6);
                assertThat(r.why())
                    .contains("afterMigrate__views.sql", "next start", "Nothing was installed");
                assertThat(r.fix()).contains("afterMigrateApplied");
              });
      assertThat(f.query("SELECT COUNT(*) FROM prodguard_audit").orElseThrow())
          .as("nothing written")
          .isEqualTo(Long.toString(auditRows));

      Files.move(
          f.migrations.resolve("afterMigrate__views.sql"),
          f.migrations.resolve("afterMigrateApplied__views.sql"));
      dev.prodguard.setup.FingerprintInit.run(
          dev.prodguard.environment.Target.prepare(
              f.config(),
              "prod",
              f.ci(),
              dev.prodguard.environment.Target.Access.MUTATE,
              "init-fingerprint prod"),
          f.ci(),
          false,
          new dev.prodguard.flyway.FlywayMigrationEngine());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: a project's afterMigrate callback that writes data, which every start-up migration"
          + " would run on the protected database outside the pipeline (no verify, backup or"
          + " audit), is refused by verify naming the file, why and the fix; as"
          + " afterMigrateApplied it runs in the deploy only and a start-up changes nothing")
  void everyMigrateCallbackWriteRefused(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      write(
          f.migrations,
          "afterMigrate__housekeeping.sql",
          "SELECT 1;\nUPDATE items SET name = 'reset' WHERE id > 0;\n");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");
      Throwable verify = catchThrowable(() -> f.pipeline().verify("prod"));
      assertThat(verify)
          .isInstanceOfSatisfying(
              dev.prodguard.db.GuardRefusal.class,
              r ->
                  assertThat(r.why())
                      .contains(
                          "afterMigrate__housekeeping.sql",
                          "[every-migrate-callback-write]",
                          "at every start, outside the pipeline",
                          "fix: Rename it to an afterMigrateApplied callback"));
      assertThat(f.tableExists("more_items")).isFalse();

      Files.move(
          f.migrations.resolve("afterMigrate__housekeeping.sql"),
          f.migrations.resolve("afterMigrateApplied__housekeeping.sql"));
      f.pipeline().promote("prod");
      assertThat(f.tableExists("more_items")).isTrue();
      // the application changes its rows; its next start (nothing pending) leaves them alone
      try (Connection c = f.db.connect()) {
        exec(c, "UPDATE items SET name = 'kept' WHERE id > 0");
      }
      MigrateResult restart = flyway(f, f.migrations).load().migrate();
      assertThat(restart.success).isTrue();
      assertThat(restart.migrationsExecuted).isZero();
      assertThat(f.query("SELECT COUNT(*) FROM items WHERE name = 'reset'")).contains("0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6 (attacker 11): a hand-run plain Flyway migration outside a transaction"
          + " (executeInTransaction=false) from a folder without the callback cannot TRUNCATE a"
          + " table before the history guard refuses its row: PostgreSQL's TRUNCATE guard refuses"
          + " it inside the database (also on a table a later deploy created), MariaDB's role split"
          + " withholds DROP; the rows stay; prodguard promote with the same TRUNCATE migration"
          + " passes; drift does not describe the TRUNCATE guard's triggers")
  void truncateOutsideTransactionRefused(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = deployed(kind)) {
      f.migration("V2__later.sql", "CREATE TABLE later (id INT PRIMARY KEY);\n");
      f.pipeline().promote("prod");
      f.db.execute("INSERT INTO later VALUES (1)");
      Path folder = dir.resolve("by-hand");
      Files.createDirectories(folder);
      try (var files = Files.list(f.migrations)) {
        for (Path p : files.toList()) {
          if (p.getFileName().toString().startsWith("V")) {
            Files.copy(p, folder.resolve(p.getFileName()));
          }
        }
      }
      String before = state(f);

      List<Throwable> refused = new ArrayList<>();
      for (String table : List.of("items", "later")) {
        write(folder, "V3__empty.sql", "TRUNCATE TABLE " + table + ";\n");
        write(folder, "V3__empty.sql.conf", "executeInTransaction=false\n");
        refused.add(catchThrowable(() -> flyway(f, folder).load().migrate()));
      }

      // Flyway reports the refused history row of the failed migration, not the TRUNCATE's own
      // error: the rows that are still there are the proof; psql's TRUNCATE shows the refusal
      for (Throwable t : refused) {
        assertThat(t).isInstanceOf(FlywayException.class);
      }
      assertThat(state(f)).isEqualTo(before);
      assertThat(f.query("SELECT COUNT(*) FROM later")).contains("1");
      try (Connection c = DriverManager.getConnection(f.appJdbcUrl())) {
        Throwable byHand = catchThrowable(() -> exec(c, "TRUNCATE TABLE later"));
        assertThat(byHand)
            .hasMessageContaining(
                kind == DatabaseKind.POSTGRESQL
                    ? "prodguard: TRUNCATE of public.later blocked on protected environment 'prod'"
                    : "DROP command denied to user");
      }
      assertThat(state(f)).isEqualTo(before);
      assertThat(f.query("SELECT COUNT(*) FROM later")).contains("1");

      if (kind == DatabaseKind.POSTGRESQL) {
        // the guard's triggers are prodguard's: drift leaves them out of the schema it describes
        try (Connection c = f.db.connect()) {
          assertThat(
                  f.query(
                      "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_trigger g"
                          + " JOIN pg_class c ON c.oid = g.tgrelid"
                          + " WHERE g.tgname = 'prodguard_truncate_guard' AND g.tgenabled = 'A'"))
              .contains("flyway_schema_history,items,later");
          assertThat(
                  DatabaseSupport.of(kind)
                      .schemaObjects(c, dev.prodguard.support.DatabaseObjects.TABLES))
              // no trigger, no event trigger; its routines are described as prodguard's own
              .noneMatch(o -> o.name().contains("trigger"))
              .anyMatch(o -> o.name().equals("columns of table public.later"))
              .anyMatch(
                  o ->
                      o.name().equals("prodguard function public.prodguard_truncate_guard()")
                          && o.definition().startsWith("as prodguard installs it"));
        }
      }

      f.migration("V3__empty.sql", "TRUNCATE TABLE items;\n");
      f.migration("V3__empty.sql.conf", "executeInTransaction=false\n");
      Files.writeString(
          f.dir.resolve("prodguard-contract.yml"),
          "version: 1\nexceptions:\n  - { migration: V3, rule: truncate, reason: \"reviewed\" }\n");
      Results.Promote promoted = f.pipeline().promote("prod");
      assertThat(promoted.deploy().orElseThrow().applied())
          .extracting(MigrationEngine.Applied::script)
          .containsExactly("V3__empty.sql");
      assertThat(f.query("SELECT COUNT(*) FROM items")).contains("0");
      assertThat(f.query("SELECT COUNT(*) FROM later")).contains("1");
    }
  }

  // ------------------------------------------------------------------ helpers

  /**
   * How a write of the history table by the environment's own credential is refused: on PostgreSQL
   * by the history guard; on MySQL/MariaDB the role split leaves that account no write rights on
   * it, so the server's privileges refuse first ("command denied"), and the history guard stands
   * behind them for accounts that have rights (historyEditsRefused).
   */
  private static String[] refusals(DatabaseKind kind) {
    return kind == DatabaseKind.POSTGRESQL
        ? new String[] {"prodguard: direct migration"}
        : new String[] {"prodguard: direct migration", "command denied to user"};
  }

  private static String stackTrace(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  /** A protected 'prod' whose V1 a guarded deploy applied: the history table exists. */
  private PipelineFixture deployed(DatabaseKind kind) throws Exception {
    PipelineFixture f = PipelineFixture.prod(kind, dir.resolve("repo"));
    try {
      f.pipeline().promote("prod");
      return f;
    } catch (Exception | Error e) {
      f.close();
      throw e;
    }
  }

  /** Flyway configured by hand, as a user would, with the environment's own credential. */
  static FluentConfiguration flyway(PipelineFixture f, Path folder) {
    return Flyway.configure()
        .dataSource(f.appJdbcUrl(), null, null)
        .locations("filesystem:" + folder);
  }

  /** A copy of the repository's migrations without prodguard's callback. */
  private Path folderWithoutCallback(PipelineFixture f) throws IOException {
    Path folder = dir.resolve("without-callback");
    if (!Files.isDirectory(folder)) {
      Files.createDirectories(folder);
      try (var files = Files.list(f.migrations)) {
        for (Path p : files.toList()) {
          if (p.getFileName().toString().startsWith("V")) {
            Files.copy(p, folder.resolve(p.getFileName()));
          }
        }
      }
    }
    return folder;
  }

  private static void write(Path folder, String name, String sql) throws IOException {
    Files.writeString(folder.resolve(name), sql);
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** Tables of the schema, the rows of items, and every history row, as one comparable text. */
  static String state(PipelineFixture f) throws SQLException {
    StringBuilder sb = new StringBuilder();
    String schema = f.db.kind() == DatabaseKind.POSTGRESQL ? "current_schema()" : "DATABASE()";
    sb.append(
            rows(
                f,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    + schema
                    + " ORDER BY table_name"))
        .append("\nitems: ")
        .append(rows(f, "SELECT id, name FROM items ORDER BY id"))
        .append("\nhistory: ")
        .append(
            rows(
                f,
                "SELECT installed_rank, version, description, type, script, checksum, success"
                    + " FROM flyway_schema_history ORDER BY installed_rank"));
    return sb.toString();
  }

  private static String rows(PipelineFixture f, String sql) throws SQLException {
    try (Connection c = f.db.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getString(i));
        }
        out.add(String.join("|", row));
      }
      return String.join("; ", out);
    }
  }
}
