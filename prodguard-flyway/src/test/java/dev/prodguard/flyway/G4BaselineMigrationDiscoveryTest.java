package dev.prodguard.flyway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.lint.LintReport;
import dev.prodguard.lint.Linter;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import dev.prodguard.migration.MigrationSource.Role;
import dev.prodguard.migration.MigrationSources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 (new-user finding F1): Flyway's baseline migrations ({@code B1__Baseline_migration.sql},
 * {@code B1_20_0__x.sql}), which the Flyway in prodguard's jar applies with {@code
 * validateMigrationNaming}, are migrations to prodguard too: discovered as {@link Role#BASELINE},
 * analysed by lint as SQL that runs on a fresh database, and never a {@code deploy-will-fail}
 * "Flyway refuses the name". Each case failed on the old code.
 */
@DisplayName("G4: Flyway baseline migrations are read as Flyway reads them")
class G4BaselineMigrationDiscoveryTest {
  @TempDir Path dir;
  final FlywayMigrationEngine engine = new FlywayMigrationEngine();

  void file(String name, String text) throws Exception {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  MigrationSources discover() {
    return engine.discover(MigrationFiles.read(List.of(dir)), DatabaseKind.POSTGRESQL);
  }

  @Test
  @DisplayName("G4: B<version>__x.sql is a baseline migration with its version, in Flyway's order")
  void baselineRoleAndOrder() throws Exception {
    file("V1__a.sql", "CREATE TABLE a (id int);");
    file("V1_20_0__b.sql", "CREATE TABLE b (id int);");
    file("B1_20_0__1.0.0_baseline__POSTGRESQL.sql", "CREATE TABLE a (id int);");
    file("V1_20_1__c.sql", "CREATE TABLE c (id int);");
    List<MigrationSource> all = discover().all();
    assertThat(all.stream().map(s -> s.file().fileName()))
        .containsExactly(
            "V1__a.sql",
            "B1_20_0__1.0.0_baseline__POSTGRESQL.sql",
            "V1_20_0__b.sql",
            "V1_20_1__c.sql");
    MigrationSource b = all.get(1);
    assertThat(b.role()).isEqualTo(Role.BASELINE);
    assertThat(b.role().analysed()).isTrue();
    assertThat(b.role().migration()).isTrue();
    assertThat(b.id().orElseThrow().kind()).isEqualTo(MigrationId.Kind.BASELINE);
    assertThat(b.id().orElseThrow()).hasToString("B1.20");
    assertThat(b.id().orElseThrow().covers(MigrationId.parse("B1.20.0").orElseThrow())).isTrue();
    assertThat(b.id().orElseThrow().covers(MigrationId.parse("V1.20").orElseThrow())).isFalse();
  }

  @Test
  @DisplayName("G4: two baseline migrations of one version are refused, as Flyway refuses them")
  void duplicateBaselineVersion() throws Exception {
    file("B3__one.sql", "SELECT 1;");
    file("B3.0__two.sql", "SELECT 1;");
    assertThatThrownBy(this::discover)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("more than one migration with version B3");
  }

  LintReport lint(String contract) {
    Contract c =
        ContractLoader.parse(dir.resolve("c.yml"), contract.getBytes(StandardCharsets.UTF_8));
    return new Linter(DatabaseKind.POSTGRESQL)
        .crossCheck(f -> engine.statements(f, DatabaseKind.POSTGRESQL))
        .lint(discover().analysed(), List.of(), c, true, true);
  }

  @Test
  @DisplayName(
      "G4: lint analyses the baseline migration's SQL, with no deploy-will-fail on its name")
  void lintJudgesTheBaselineMigration() throws Exception {
    file("B1__Baseline_migration.sql", "CREATE TABLE a (id int);\nDROP TABLE old_things;\n");
    file("V2__b.sql", "CREATE TABLE b (id int);");
    LintReport r = lint("version: 1\n");
    assertThat(r.findings()).noneMatch(f -> f.rule().equals("deploy-will-fail"));
    assertThat(r.findings())
        .anySatisfy(
            f -> {
              assertThat(f.rule()).isEqualTo("drop-table");
              assertThat(f.file()).endsWith("B1__Baseline_migration.sql");
            });
  }

  @Test
  @DisplayName("G4: a contract exception names a baseline migration as migration: B1")
  void exceptionNamesTheBaselineMigration() throws Exception {
    file("B1__Baseline_migration.sql", "CREATE TABLE a (id int);\nDROP TABLE old_things;\n");
    file("V1__old.sql", "DROP TABLE older_things;\n");
    LintReport r =
        lint(
            "version: 1\nexceptions:\n  - { migration: B1, rule: drop-table, reason: \"squashed"
                + " history, reviewed\" }\n");
    // the exception covers B1 only, not the versioned V1 of the same version
    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals("drop-table"))
        .hasSize(2)
        .allSatisfy(
            f ->
                assertThat(f.covered()).isEqualTo(f.file().endsWith("B1__Baseline_migration.sql")));
    assertThat(r.hasErrors()).isTrue();
  }
}
