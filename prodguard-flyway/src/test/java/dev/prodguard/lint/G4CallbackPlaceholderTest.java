package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.config.ConfigValue;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.Placeholders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacker 27/02: Flyway runs the callbacks of the migration locations on every migrate, also an
 * application's start-up migration or a hand-run {@code flyway migrate}, each with its own
 * placeholder values ({@code spring.flyway.placeholders.n=1; DELETE FROM users WHERE true; SELECT
 * 1}). prodguard judged {@code afterMigrate.sql}'s {@code SELECT ${n};} with prodguard.yml's {@code
 * n: 1} and passed it. A callback in which Flyway replaces a placeholder is now refused on a
 * protected environment (callback-placeholder, G4), wherever the placeholder is (code, literal,
 * comment); the two built-ins whose value Flyway alone fixes are left, and so is a callback whose
 * script configuration turns replacement off. Migrations are not judged by this rule.
 */
@DisplayName("G4: a callback's placeholder gets its value from whatever runs Flyway, so is refused")
class G4CallbackPlaceholderTest {
  static final FlywayMigrationEngine ENGINE = new FlywayMigrationEngine();
  static final String RULE = "callback-placeholder";

  @TempDir Path dir;

  void file(String name, String text) throws Exception {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  LintReport lint(DatabaseKind kind, Placeholders placeholders, boolean protectedEnv) {
    MigrationFiles files = MigrationFiles.read(List.of(dir)).with(placeholders);
    Contract contract =
        ContractLoader.parse(
            Path.of("prodguard-contract.yml"),
            "version: 1\nprotected-tables: { users: {} }\n".getBytes(StandardCharsets.UTF_8));
    return Linter.forEngine(kind, ENGINE, files)
        .lint(ENGINE.discover(files, kind).analysed(), List.of(), contract, protectedEnv, true);
  }

  static Placeholders values(String prefix, String suffix, Map<String, String> config) {
    Map<String, ConfigValue> values = new LinkedHashMap<>();
    config.forEach((k, v) -> values.put(k, new ConfigValue(v, "prodguard.yml", 7, k)));
    return Placeholders.resolve(new ProdguardConfig.Placeholders(prefix, suffix, values), Map.of());
  }

  static Placeholders n1() {
    return values("${", "}", Map.of("n", "1"));
  }

  static List<Finding> refused(LintReport r) {
    return r.findings().stream().filter(f -> f.rule().equals(RULE)).toList();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4 (attacker 27/02): afterMigrate.sql 'SELECT ${n};' with prodguard.yml n: 1 is refused"
          + " on a protected environment with one finding: what, G4, why, the fix")
  void theAttack(DatabaseKind kind) throws Exception {
    file("V1__users.sql", "CREATE TABLE users (id INT PRIMARY KEY);\n");
    file("afterMigrate.sql", "-- a harmless check\nSELECT ${n};\n");

    LintReport r = lint(kind, n1(), true);

    assertThat(refused(r))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.ERROR);
              assertThat(f.guarantee()).isEqualTo("G4");
              assertThat(f.location().file()).endsWith("afterMigrate.sql");
              assertThat(f.line()).isEqualTo(2);
              assertThat(f.location().column()).isEqualTo(8);
              assertThat(f.message())
                  .contains(
                      "afterMigrate.sql is a Flyway callback",
                      "placeholder ${n}",
                      "spring.flyway.placeholders",
                      "not prodguard.yml's",
                      "(G4)");
              assertThat(f.recipe())
                  .contains("literally", "afterMigrate.sql.conf", "placeholderReplacement=false");
            });
    assertThat(r.hasErrors()).isTrue();
  }

  @Test
  @DisplayName(
      "G4: every callback event counts, not only every-migrate ones: beforeEachMigrate__x,"
          + " afterMigrateApplied, afterConnect, afterMigrateError, beforeValidate__x")
  void everyEvent() throws Exception {
    List<String> names =
        List.of(
            "beforeEachMigrate__audit.sql",
            "afterMigrateApplied__x.sql",
            "afterConnect.sql",
            "afterMigrateError.sql",
            "beforeValidate__check.sql",
            "afterEachMigrateStatement.sql");
    for (String n : names) {
      file(n, "SELECT ${n};\n");
    }
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, n1(), true)))
        .extracting(f -> Path.of(f.location().file()).getFileName().toString())
        .containsExactlyInAnyOrderElementsOf(names);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "INSERT INTO audit_log (note) VALUES ('${n}');\n",
        "-- run ${n}\nSELECT 1;\n",
        "/* ${n} */ SELECT 1;\n",
        "SELECT 1; -- ok\nSELECT '${N}';\n"
      })
  @DisplayName(
      "G4: a placeholder in a string literal or a comment is refused too (the value may hold a"
          + " quote or a line break); names are matched ignoring case, as Flyway does")
  void literalsAndComments(String sql) throws Exception {
    file("afterMigrate.sql", sql);
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, n1(), true))).hasSize(1);
  }

  @Test
  @DisplayName(
      "G4: several placeholders make one finding naming each once, at the first; a placeholder"
          + " with no value in prodguard.yml or one from an unset ${VAR} is refused as well")
  void oneFindingPerCallback() throws Exception {
    file("afterMigrate.sql", "SELECT ${n};\nSELECT ${m}, ${n};\nSELECT '${flyway:user}';\n");
    Map<String, ConfigValue> values = new LinkedHashMap<>();
    values.put("n", new ConfigValue("1", "prodguard.yml", 7, "n"));
    values.put("m", new ConfigValue("${UNSET_FOR_TEST}", "prodguard.yml", 8, "m"));
    Placeholders p =
        Placeholders.resolve(new ProdguardConfig.Placeholders("${", "}", values), Map.of());
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, p, true)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isEqualTo(1);
              assertThat(f.message()).contains("placeholders ${n}, ${m}, ${flyway:user} in it");
            });
    file("afterMigrate.sql", "SELECT ${nowhere};\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, n1(), true))).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "flyway:defaultSchema",
        "flyway:user",
        "flyway:database",
        "flyway:table",
        "flyway:environment",
        "FLYWAY:DEFAULTSCHEMA"
      })
  @DisplayName(
      "G4: Flyway's built-ins whose value comes from the runner's configuration or connection"
          + " (schema, user, database, table, environment) are refused in a callback")
  void builtInsFromTheRunner(String builtIn) throws Exception {
    file("afterMigrate.sql", "SELECT '${" + builtIn + "}';\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, Placeholders.NONE, true))).hasSize(1);
  }

  @Test
  @DisplayName(
      "G4: ${flyway:timestamp} and ${flyway:filename} (a plain name), whose value Flyway alone"
          + " fixes, stay allowed in a callback")
  void settledBuiltIns() throws Exception {
    file("afterMigrateApplied__note.sql", "SELECT '${flyway:timestamp}', '${Flyway:FileName}';\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, Placeholders.NONE, true))).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: placeholderReplacement=false in the callback's .sql.conf leaves its text as written:"
          + " not refused (Flyway replaces nothing in it, whoever runs it)")
  void replacementOff() throws Exception {
    file("afterMigrate.sql", "SELECT '${n}';\n");
    file("afterMigrate.sql.conf", "placeholderReplacement=false\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, n1(), true))).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: the configured prefix and suffix count in a callback: with #[ ] a '#[n]' is refused")
  void configuredPrefixAndSuffix() throws Exception {
    file("afterMigrate.sql", "SELECT #[n];\n");
    Placeholders hash = values("#[", "]", Map.of("n", "1"));
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, hash, true)))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("placeholder #[n]"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"@@|@@", "#[|]", "${|$}"})
  @DisplayName(
      "G4 (attack 13 F3): with prodguard.yml's own prefix/suffix (@@ @@), afterMigrate.sql"
          + " 'SELECT 1; -- ${n}' is refused all the same: an application's Flyway that sets no"
          + " prefix replaces Flyway's default ${n} with its own value (a line break and a"
          + " DELETE); both syntaxes count, at their own place, ${flyway:timestamp} stays allowed,"
          + " placeholderReplacement=false still turns it off")
  void defaultSyntaxCountsWhateverProdguardConfigures(String syntax) throws Exception {
    String[] ps = syntax.split("\\|");
    Placeholders p = values(ps[0], ps[1], Map.of("n", "1"));
    file("afterMigrate.sql", "SELECT 1;\n-- ${n}\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, p, true)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isEqualTo(2);
              assertThat(f.location().column()).isEqualTo(4);
              assertThat(f.message()).contains("placeholder ${n}", "(G4)");
            });
    String configured = ps[0] + "n" + ps[1];
    file("afterMigrate.sql", "SELECT 1;\nSELECT " + configured + ";\n-- ${m}\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, p, true)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isEqualTo(2);
              assertThat(f.message()).contains(configured + ", ${m}");
            });
    file("afterMigrate.sql", "SELECT '${flyway:timestamp}', '$${n}';\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, p, true))).isEmpty();
    file("afterMigrate.sql", "SELECT 1;\n-- ${n}\n");
    file("afterMigrate.sql.conf", "placeholderReplacement=false\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, p, true))).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: versioned and repeatable migrations (prodguard deploys them with its own values) and"
          + " callbacks of an unprotected environment are not refused by this rule")
  void migrationsAndUnprotected() throws Exception {
    file("V1__users.sql", "CREATE TABLE users (id INT PRIMARY KEY, n INT DEFAULT ${n});\n");
    file("R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT ${n} AS n;\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, n1(), true))).isEmpty();
    file("afterMigrate.sql", "SELECT ${n};\n");
    assertThat(refused(lint(DatabaseKind.POSTGRESQL, n1(), false))).isEmpty();
  }
}
