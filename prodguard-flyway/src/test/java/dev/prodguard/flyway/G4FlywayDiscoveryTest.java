package dev.prodguard.flyway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.lint.LintReport;
import dev.prodguard.lint.Linter;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.migration.MigrationSource.Role;
import dev.prodguard.migration.MigrationSources;
import dev.prodguard.support.DatabaseSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What Flyway runs is what prodguard analyses: the engine's discovery is the one reading of the
 * migration locations for lint, verify and deploy, and it includes the SQL callbacks Flyway runs
 * during migrate. No server needed.
 */
@DisplayName("G4: the engine decides what a migration is; callbacks are analysed")
class G4FlywayDiscoveryTest {
  @TempDir Path dir;
  Path migrations;
  final FlywayMigrationEngine engine = new FlywayMigrationEngine();

  @BeforeEach
  void setUp() throws Exception {
    migrations = Files.createDirectories(dir.resolve("db/migration"));
  }

  void file(String name, String text) throws Exception {
    Files.writeString(migrations.resolve(name), text, StandardCharsets.UTF_8);
  }

  MigrationSources discover(DatabaseKind kind) {
    return engine.discover(MigrationFiles.read(List.of(migrations)), kind);
  }

  LintReport lint(DatabaseKind kind) throws Exception {
    Contract contract =
        ContractLoader.parse(dir.resolve("c.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .crossCheck(f -> engine.statements(f, kind))
        .lint(discover(kind).analysed(), List.of(), contract, true, true);
  }

  static List<String> names(List<MigrationSource> sources) {
    return sources.stream().map(s -> s.file().fileName()).toList();
  }

  @Test
  @DisplayName("G4: Flyway's naming and order: versioned by version, repeatable, undo, callbacks")
  void namingAndOrder() throws Exception {
    file("V10__c.sql", "SELECT 1;");
    file("V2__b.sql", "SELECT 1;");
    file("R__views.sql", "SELECT 1;");
    file("V1.1__a.sql", "SELECT 1;");
    file("U2__undo.sql", "SELECT 1;");
    file("afterMigrate.sql", "SELECT 1;");
    file("beforeEachMigrate__audit.sql", "SELECT 1;");
    file("V2__b.sql.conf", "executeInTransaction=false\n");
    file("notes.sql", "DROP TABLE never_run;");
    MigrationSources s = discover(DatabaseKind.POSTGRESQL);
    assertThat(names(s.analysed()))
        .containsExactly(
            "V1.1__a.sql",
            "V2__b.sql",
            "V10__c.sql",
            "R__views.sql",
            "U2__undo.sql",
            "afterMigrate.sql",
            "beforeEachMigrate__audit.sql",
            "notes.sql");
    assertThat(s.all())
        .filteredOn(x -> x.file().fileName().equals("V2__b.sql.conf"))
        .singleElement()
        .extracting(MigrationSource::role)
        .isEqualTo(Role.SCRIPT_CONFIGURATION);
    assertThat(s.all())
        .filteredOn(x -> x.file().fileName().equals("notes.sql"))
        .singleElement()
        .extracting(MigrationSource::role)
        .isEqualTo(Role.REFUSED_NAME);
    assertThat(s.all().get(1).id().map(MigrationId::toString)).contains("V2");
    assertThat(s.callbacks())
        .extracting(f -> f.fileName())
        .containsExactly("afterMigrate.sql", "beforeEachMigrate__audit.sql");
  }

  @Test
  @DisplayName(
      "G4: file names become the identities contract exceptions name, as Flyway reads them")
  void migrationIds() {
    MigrationId v = MigrationId.parse("V1.2").orElseThrow();
    assertThat(v.covers(FlywayNaming.migrationId("V1_2__x.sql").orElseThrow())).isTrue();
    assertThat(v.covers(FlywayNaming.migrationId("V1.2.0__x.sql").orElseThrow())).isTrue();
    assertThat(v.covers(FlywayNaming.migrationId("V1.20__x.sql").orElseThrow())).isFalse();
    assertThat(v.covers(FlywayNaming.migrationId("U1.2__x.sql").orElseThrow())).isFalse();
    MigrationId r = MigrationId.parse("R__refresh_views").orElseThrow();
    assertThat(r.covers(FlywayNaming.migrationId("R__refresh_views.sql").orElseThrow())).isTrue();
    assertThat(FlywayNaming.migrationId("V1__.sql.bak")).isEmpty();
    assertThat(FlywayNaming.migrationId("notes.sql")).isEmpty();
    assertThat(
            FlywayNaming.order(
                FlywayNaming.migrationId("V10__a.sql").orElseThrow(),
                FlywayNaming.migrationId("V9__b.sql").orElseThrow()))
        .isPositive();
  }

  @Test
  @DisplayName("G4: two migrations with one version are refused, as Flyway refuses them")
  void duplicateVersions() throws Exception {
    file("V1__a.sql", "SELECT 1;");
    file("V1.0__b.sql", "SELECT 1;");
    assertThatThrownBy(() -> discover(DatabaseKind.POSTGRESQL))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("more than one migration with version V1");
  }

  @Test
  @DisplayName(
      "G4: a callback Flyway runs during migrate (afterMigrate.sql) is linted like a migration")
  void callbackIsLinted() throws Exception {
    file("V1__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n");
    file("afterMigrate.sql", "DROP TABLE orders;\n");
    LintReport r = lint(DatabaseKind.POSTGRESQL);
    assertThat(r.blocking())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo("drop-table");
              assertThat(f.file()).endsWith("afterMigrate.sql");
            });
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4/G6: prodguard's own callback, exactly as init-fingerprint writes it, is its guard, not a"
          + " finding; edited, it is linted like any callback")
  void ownCallback(DatabaseKind kind) throws Exception {
    file("V1__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n");
    String written = CallbackFile.expected(DatabaseSupport.of(kind));
    file(CallbackFile.NAME, written);
    assertThat(discover(kind).all())
        .filteredOn(s -> s.file().fileName().equals(CallbackFile.NAME))
        .singleElement()
        .extracting(MigrationSource::role)
        .isEqualTo(Role.GUARD_ARTIFACT);
    LintReport clean = lint(kind);
    assertThat(clean.findings()).isEmpty();
    assertThat(discover(kind).callbacks())
        .as("still part of the hashed set: Flyway runs it")
        .extracting(f -> f.fileName())
        .containsExactly(CallbackFile.NAME);

    file(CallbackFile.NAME, written + "DELETE FROM orders;\n");
    assertThat(discover(kind).all())
        .filteredOn(s -> s.file().fileName().equals(CallbackFile.NAME))
        .singleElement()
        .extracting(MigrationSource::role)
        .isEqualTo(Role.CALLBACK);
    assertThat(lint(kind).blocking()).extracting(Finding::rule).contains("delete-without-where");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: a callback Flyway runs on every migrate (afterMigrate, beforeMigrate, beforeValidate,"
          + " afterVersioned) that changes the schema is an error on a protected environment,"
          + " naming the file, why and the fix; afterMigrateApplied, afterEachMigrate and data-only"
          + " callbacks are not, nor any callback on an unprotected environment")
  void everyMigrateCallbackDdl(DatabaseKind kind) throws Exception {
    file("V1__items.sql", "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50));\n");
    String views =
        "DROP VIEW IF EXISTS item_names;\nCREATE VIEW item_names AS SELECT name FROM items;\n";
    file("afterMigrate__000_views.sql", "SELECT 1;\n" + views);
    file("beforeMigrate.sql", "CREATE TABLE IF NOT EXISTS scratch (id INT);\n");
    file("beforeValidate__x.sql", "ALTER TABLE items ADD COLUMN note VARCHAR(10);\n");
    file("afterVersioned.sql", "CREATE INDEX items_name ON items (name);\n");
    file("afterMigrateApplied__views.sql", views);
    file("afterEachMigrate__views.sql", views);
    file("afterMigrate__stats.sql", "UPDATE items SET name = name WHERE id = 0;\n");
    Contract contract =
        ContractLoader.parse(dir.resolve("c.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    Linter linter =
        new Linter(kind)
            .everyMigrate(engine::everyMigrateEvent)
            .crossCheck(f -> engine.statements(f, kind));

    List<Finding> onProtected =
        linter.lint(discover(kind).analysed(), List.of(), contract, true, true).findings().stream()
            .filter(f -> f.rule().equals("every-migrate-callback-ddl"))
            .toList();
    List<Finding> onUnprotected =
        linter.lint(discover(kind).analysed(), List.of(), contract, false, true).findings().stream()
            .filter(f -> f.rule().equals("every-migrate-callback-ddl"))
            .toList();

    assertThat(onProtected)
        .extracting(f -> Path.of(f.location().file()).getFileName().toString())
        .containsExactlyInAnyOrder(
            "afterMigrate__000_views.sql",
            "beforeMigrate.sql",
            "beforeValidate__x.sql",
            "afterVersioned.sql");
    Finding views0 =
        onProtected.stream()
            .filter(f -> f.location().file().endsWith("afterMigrate__000_views.sql"))
            .findFirst()
            .orElseThrow();
    assertThat(views0.severity()).isEqualTo(dev.prodguard.findings.Severity.ERROR);
    assertThat(views0.location().line()).isEqualTo(2);
    assertThat(views0.message())
        .contains(
            "afterMigrate__000_views.sql is a Flyway afterMigrate callback",
            "on every migrate, nothing pending included",
            "2 schema changes",
            "(G6)");
    assertThat(views0.recipe()).contains("afterMigrateApplied", "R__");
    assertThat(onUnprotected).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6 (attacker 21/06): a callback of a command that applies nothing (flyway info, validate,"
          + " repair, baseline: afterInfo, afterValidateOperationFinish, beforeRepair, ...) that"
          + " writes rows is an every-migrate-callback-write error like afterMigrate's; callbacks"
          + " that run only while a migration is applied, and failure callbacks, are not")
  void callbacksOfCommandsThatApplyNothing(DatabaseKind kind) throws Exception {
    file("V1__items.sql", "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50));\n");
    String write = "UPDATE items SET name = 'cancelled' WHERE id <= 50;\n";
    List<String> flagged =
        List.of(
            "beforeInfo.sql",
            "afterInfo.sql",
            "afterInfoOperationFinish.sql",
            "afterValidateOperationFinish.sql",
            "beforeRepair.sql",
            "afterRepair.sql",
            "beforeBaseline.sql",
            "afterBaselineOperationFinish.sql",
            "afterMigrate.sql");
    for (String name : flagged) {
      file(name, write);
    }
    for (String name :
        List.of(
            "afterMigrateApplied.sql",
            "afterEachMigrate.sql",
            "beforeEachMigrateStatement.sql",
            "afterInfoError.sql")) {
      file(name, write);
    }
    Contract contract =
        ContractLoader.parse(dir.resolve("c.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    Linter linter =
        new Linter(kind)
            .everyMigrate(engine::everyMigrateEvent)
            .crossCheck(f -> engine.statements(f, kind));
    List<Finding> found =
        linter.lint(discover(kind).analysed(), List.of(), contract, true, true).findings().stream()
            .filter(f -> f.rule().equals("every-migrate-callback-write"))
            .toList();
    assertThat(found)
        .extracting(f -> Path.of(f.location().file()).getFileName().toString())
        .containsExactlyInAnyOrderElementsOf(flagged);
    assertThat(found)
        .filteredOn(f -> f.location().file().endsWith("afterInfo.sql"))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.message())
                    .contains("afterInfo callback", "hand-run info, validate, repair or baseline"));
  }
}
