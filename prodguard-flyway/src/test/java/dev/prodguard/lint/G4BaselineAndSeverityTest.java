package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adopting prodguard on a history that ran in production: the contract's reviewed baseline makes
 * older migrations history, and per-rule severity tunes the rules that are not forbidden.
 */
@DisplayName("G4: a reviewed baseline and per-rule severity in the contract")
class G4BaselineAndSeverityTest {
  static final FlywayMigrationEngine ENGINE = new FlywayMigrationEngine();

  @TempDir Path dir;
  Path migrations;

  @BeforeEach
  void history() throws Exception {
    migrations = Files.createDirectories(dir.resolve("db/migration"));
    // years of production history, written before prodguard: errors and warnings alike
    migration("V1__init.sql", "CREATE TABLE orders (id bigint primary key, ref text, n int);\n");
    migration(
        "V2__cleanup.sql",
        """
        UPDATE orders SET n = 0;
        ALTER TABLE orders DROP COLUMN ref;
        CREATE INDEX orders_n ON orders (n);
        ALTER TABLE orders ALTER COLUMN n SET NOT NULL;
        """);
    migration("V2_1__more.sql", "DELETE FROM orders;\nCREATE INDEX orders_id2 ON orders (id);\n");
  }

  Path migration(String name, String sql) throws Exception {
    return Files.writeString(migrations.resolve(name), sql, StandardCharsets.UTF_8);
  }

  /**
   * The contract as written, its baseline pinned (as a reviewer does) to the history files as they
   * are now, unless it names its own {@code sha256}.
   */
  Contract contract(String yaml) throws Exception {
    Path f = dir.resolve("prodguard-contract.yml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    Contract c = ContractLoader.load(f);
    java.util.Optional<dev.prodguard.contract.Adoption.Baseline> b = c.adoption().baselineIfAny();
    if (b.isEmpty() || b.get().sha256IfAny().isPresent()) {
      return c;
    }
    String digest = History.sha256(b.get(), all(), files());
    Files.writeString(
        f,
        yaml.replaceFirst("(baseline: \\{[^}]*)\\}", "$1, sha256: \"" + digest + "\" }"),
        StandardCharsets.UTF_8);
    return ContractLoader.load(f);
  }

  ConfigException contractError(String yaml) {
    return catchThrowableOfType(() -> contract(yaml), ConfigException.class);
  }

  MigrationFiles files() {
    return MigrationFiles.read(List.of(migrations));
  }

  List<MigrationSource> all() {
    return ENGINE.discover(files(), DatabaseKind.POSTGRESQL).analysed();
  }

  /** As {@code prodguard lint} without arguments: the baseline applied, history as context. */
  LintReport lint(Contract c) {
    MigrationFiles files = files();
    History h = History.of(ENGINE.discover(files, DatabaseKind.POSTGRESQL).analysed(), files, c);
    return new Linter(DatabaseKind.POSTGRESQL).lint(h.judged(), h.history(), c, true, true);
  }

  @Test
  @DisplayName("G4: a history that produced errors and warnings lints clean after a baseline")
  void historyLintsCleanAfterBaseline() throws Exception {
    LintReport before = lint(contract("version: 1\n"));
    assertThat(before.count(Severity.ERROR)).isGreaterThanOrEqualTo(3);
    assertThat(before.count(Severity.WARNING)).isGreaterThanOrEqualTo(2);

    LintReport after =
        lint(
            contract(
                """
                version: 1
                baseline: { version: "2.1", reason: "ran in production 2019-2024; reviewed by the DB team" }
                """));

    assertThat(after.findings()).isEmpty();
    assertThat(after.files()).isEmpty();
  }

  @Test
  @DisplayName("G4: a migration after the baseline is judged; repeatables are always judged")
  void migrationAfterBaselineIsJudged() throws Exception {
    Contract c =
        contract(
            """
            version: 1
            baseline: { version: "2", reason: "reviewed history" }
            """);
    migration("V3__new.sql", "DROP TABLE orders;\n");
    migration("R__views.sql", "TRUNCATE orders;\n");

    LintReport r = lint(c);

    assertThat(r.blocking())
        .extracting(Finding::migration, Finding::rule)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("V2.1", "delete-without-where"),
            org.assertj.core.groups.Tuple.tuple("V3", "drop-table"),
            org.assertj.core.groups.Tuple.tuple("R__views", "truncate"));
    assertThat(r.findings())
        .noneMatch(f -> "V1".equals(f.migration()) || "V2".equals(f.migration()));
  }

  @Test
  @DisplayName("G4: severity off, warning and error are honoured for rules that are not forbidden")
  void severityHonoured() throws Exception {
    migration("V3__index.sql", "CREATE INDEX orders_ref ON orders (ref);\n");
    migration("V4__not_null.sql", "ALTER TABLE orders ALTER COLUMN ref SET NOT NULL;\n");
    migration("V5__drop.sql", "ALTER TABLE orders DROP COLUMN ref;\n");
    Contract c =
        contract(
            """
            version: 1
            forbidden: [drop-table, unknown-statement]
            baseline: { version: "2.1", reason: "reviewed history" }
            severity:
              create-index-not-concurrently: off
              set-not-null: error
              drop-column: warning
            """);

    LintReport r = lint(c);

    assertThat(r.findings()).noneMatch(f -> f.rule().equals("create-index-not-concurrently"));
    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals("set-not-null"))
        .singleElement()
        .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.ERROR));
    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals("drop-column"))
        .singleElement()
        .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.WARNING));
    assertThat(r.blocking()).extracting(Finding::rule).containsExactly("set-not-null");

    // the same files without the entries: the index warns, SET NOT NULL only warns
    LintReport plain =
        lint(
            contract(
                """
                version: 1
                forbidden: [drop-table, unknown-statement]
                baseline: { version: "2.1", reason: "reviewed history" }
                """));
    assertThat(plain.findings()).anyMatch(f -> f.rule().equals("create-index-not-concurrently"));
    assertThat(plain.blocking()).isEmpty();
  }

  @Test
  @DisplayName("G4: a forbidden rule is lowered only by an exception: a severity entry is refused")
  void forbiddenRuleCannotBeLowered() {
    ConfigException e =
        contractError(
            """
            version: 1
            severity:
              drop-table: warning
            """);
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.getMessage()).contains("drop-table", "forbidden", "exceptions");

    ConfigException off =
        contractError(
            """
            version: 1
            forbidden: [drop-table]
            severity: { drop-table: off }
            """);
    assertThat(off.getMessage()).contains("forbidden");

    // fail-closed rules cannot be lowered even when they are not listed as forbidden
    for (String rule : List.of("transaction-control", "dynamic-sql", "protected-table-write")) {
      ConfigException closed =
          contractError(
              "version: 1\nforbidden: [drop-table]\nseverity: { " + rule + ": warning }\n");
      assertThat(closed.getMessage()).as(rule).contains(rule, "fails closed");
    }
  }

  @Test
  @DisplayName("G4: unknown rule ids and levels, bad versions and stale entries name file and line")
  void malformedEntries() {
    ConfigException unknown = contractError("version: 1\nseverity:\n  no-such-rule: off\n");
    assertThat(unknown.line()).isEqualTo(3);
    assertThat(unknown.getMessage()).contains("unknown rule 'no-such-rule'");

    ConfigException level = contractError("version: 1\nseverity:\n  set-not-null: loud\n");
    assertThat(level.getMessage()).contains("off, warning or error");

    ConfigException version =
        contractError("version: 1\n\nbaseline:\n  version: \"4x\"\n  reason: r\n");
    assertThat(version.file()).endsWith("prodguard-contract.yml");
    assertThat(version.line()).isEqualTo(4);
    assertThat(version.getMessage()).contains("'4x' is not a Flyway version");

    ConfigException noReason = contractError("version: 1\nbaseline: { version: \"4\" }\n");
    ConfigException digest =
        contractError("version: 1\nbaseline: { version: \"2\", reason: r, sha256: \"abc\" }\n");
    assertThat(digest.getMessage()).contains("'abc' is not a SHA-256");
    assertThat(noReason.getMessage()).contains("reason");

    // an exception within the baseline is allowed (a target behind it judges that migration,
    // G4BaselineVerifyIT); lint checks that the migration exists
  }

  @ParameterizedTest(name = "G4: baseline {0}")
  @ValueSource(strings = {"3.0.0", "B3.0", "3"})
  @DisplayName(
      "G4: the baseline may name a Flyway baseline migration's version (new-user finding F1)")
  void baselineNamesBaselineMigration(String version) throws Exception {
    migration("B3_0_0__1.0.0_baseline.sql", "DELETE FROM orders;\nDROP TABLE old_orders;\n");
    migration("V3_0_1__next.sql", "ALTER TABLE orders DROP COLUMN n;\n");
    Contract c =
        contract(
            "version: 1\nbaseline: { version: \""
                + version
                + "\", reason: \"squashed into Flyway's B3.0.0\" }\n");
    LintReport r = lint(c);
    // the baseline migration and everything at or below it are history; the next is judged
    assertThat(r.files()).singleElement().asString().endsWith("V3_0_1__next.sql");
    assertThat(r.findings())
        .isNotEmpty()
        .allSatisfy(f -> assertThat(f.file()).endsWith("V3_0_1__next.sql"));
  }

  @Test
  @DisplayName(
      "G4: a baseline that names no migration is refused (it would make future ones history)")
  void baselineMustNameAMigration() throws Exception {
    Contract c =
        contract(
            """
            version: 1
            baseline: { version: "999", reason: "everything, forever" }
            """);
    ConfigException e =
        catchThrowableOfType(() -> History.of(all(), files(), c), ConfigException.class);
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("V999", "not a migration");
  }

  @Test
  @DisplayName("G7: the baseline and severities are part of the contract hash")
  void boundIntoContractHash() throws Exception {
    String base = "version: 1\nbaseline: { version: \"2\", reason: \"history\" }\n";
    String a = contract(base).sha256();
    String b = contract(base.replace("\"2\"", "\"2.1\"")).sha256();
    String s = contract(base + "severity: { set-not-null: error }\n").sha256();
    assertThat(List.of(a, b, s)).doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("G4: PRODUCTION_MUTATION_CONTRACT.md shows the baseline and the severities")
  void rendered() throws Exception {
    Contract c =
        contract(
            """
            version: 1
            baseline: { version: "2.1", reason: "ran in production 2019-2024" }
            severity: { set-not-null: error, create-index-not-concurrently: off }
            """);
    String md = ContractMarkdown.render(c, "prodguard-contract.yml");
    assertThat(md)
        .contains("## History baseline")
        .contains("up to and including V2.1")
        .contains("ran in production 2019-2024")
        .contains("Pinned to the reviewed history files")
        .containsPattern("`[0-9a-f]{64}`")
        .contains("## Rule severity")
        .contains("| `set-not-null` | error | warning |")
        .contains("| `create-index-not-concurrently` | off | warning |");
    assertThat(ContractMarkdown.render(contract("version: 1\n"), "prodguard-contract.yml"))
        .doesNotContain("History baseline", "Rule severity");
  }
}
