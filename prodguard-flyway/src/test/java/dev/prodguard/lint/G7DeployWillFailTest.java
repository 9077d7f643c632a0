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

/**
 * Issue 14: what Flyway or the server will certainly refuse at deploy is found by lint (and so by
 * verify, before any backup) from the files alone, on every environment; placeholders are judged
 * after replacement, as the server will read the text. Each case was a clean lint before.
 */
@DisplayName("G7: lint predicts the deploy failures the files alone determine")
class G7DeployWillFailTest {
  static final FlywayMigrationEngine ENGINE = new FlywayMigrationEngine();

  @TempDir Path dir;

  void file(String name, String text) throws Exception {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  /** Lints the folder as for an unprotected environment: these are errors everywhere. */
  LintReport lint(DatabaseKind kind, Placeholders placeholders) {
    MigrationFiles files = MigrationFiles.read(List.of(dir)).with(placeholders);
    Contract contract =
        ContractLoader.parse(Path.of("prodguard-contract.yml"), "version: 1\n".getBytes());
    return new Linter(kind)
        .crossCheck(f -> ENGINE.statements(files, f, kind))
        .texts(f -> ENGINE.text(files, f))
        .masking(files.placeholders()::mask)
        .lint(ENGINE.discover(files, kind).analysed(), List.of(), contract, false, true);
  }

  LintReport lint(String sql) throws Exception {
    file("V2__x.sql", sql);
    return lint(DatabaseKind.POSTGRESQL, Placeholders.NONE);
  }

  static List<Finding> willFail(LintReport r) {
    return r.findings().stream().filter(f -> f.rule().equals("deploy-will-fail")).toList();
  }

  static Placeholders values(Map<String, String> config, Map<String, String> env) {
    Map<String, ConfigValue> values = new LinkedHashMap<>();
    config.forEach((k, v) -> values.put(k, new ConfigValue(v, "prodguard.yml", 7, k)));
    return Placeholders.resolve(new ProdguardConfig.Placeholders("${", "}", values), env);
  }

  @Test
  @DisplayName("G7: a placeholder without a value, in a name or in a literal, will fail the deploy")
  void placeholderWithoutValue() throws Exception {
    LintReport r = lint("CREATE TABLE t (id int);\nCREATE TABLE ${prefix}_items (id int);\n");
    assertThat(willFail(r))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isEqualTo(2);
              assertThat(f.severity()).isEqualTo(Severity.ERROR);
              assertThat(f.message()).contains("${prefix}", "No value provided for placeholder");
              assertThat(f.recipe()).contains("migrations.placeholders");
            });
    assertThat(r.hasErrors()).isTrue();

    Files.delete(dir.resolve("V2__x.sql"));
    LintReport literal = lint("INSERT INTO t VALUES ('Hello ${customer}');\n");
    assertThat(willFail(literal)).singleElement().extracting(Finding::line).isEqualTo(1);
  }

  @Test
  @DisplayName(
      "G4: with migrations.placeholders, the text is judged after replacement, as the server reads"
          + " it")
  void judgedAfterReplacement() throws Exception {
    file("V2__x.sql", "CREATE TABLE ${prefix}_items (id int);\nDROP TABLE ${old};\n");
    LintReport r =
        lint(DatabaseKind.POSTGRESQL, values(Map.of("prefix", "app", "old", "orders"), Map.of()));
    assertThat(willFail(r)).isEmpty();
    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals("drop-table"))
        .singleElement()
        .satisfies(f -> assertThat(f.excerpt()).isEqualTo("DROP TABLE orders"));
    assertThat(r.findings()).noneMatch(f -> f.rule().equals("unknown-statement"));
  }

  @Test
  @DisplayName(
      "G4: a placeholder whose ${VAR} is not set where lint runs makes its statement unknown"
          + " (fail closed), not clean")
  void unknownValueFailsClosed() throws Exception {
    file(
        "V2__x.sql",
        "CREATE TABLE t (id int, note text);\nINSERT INTO t VALUES (1, 'Hello ${customer}');\n");
    Placeholders p = values(Map.of("customer", "${CUSTOMER}"), Map.of());
    LintReport r = lint(DatabaseKind.POSTGRESQL, p);
    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals("unknown-statement"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isEqualTo(2);
              assertThat(f.message()).contains("${customer}", "CUSTOMER is not set");
            });
    LintReport known =
        lint(
            DatabaseKind.POSTGRESQL,
            values(Map.of("customer", "${CUSTOMER}"), Map.of("CUSTOMER", "acme")));
    assertThat(known.findings()).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: a placeholder value read from the environment (a password) never appears in a finding")
  void environmentValuesMasked() throws Exception {
    file("V2__x.sql", "UPDATE t SET note = 'pw ${app_password}';\n");
    LintReport r =
        lint(
            DatabaseKind.POSTGRESQL,
            values(Map.of("app_password", "${APP_PW}"), Map.of("APP_PW", "s3cret-pw")));
    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals("update-without-where"))
        .singleElement()
        .satisfies(f -> assertThat(f.excerpt()).contains("'pw ${app_password}'"));
    assertThat(r.findings())
        .allSatisfy(
            f -> {
              assertThat(f.message()).doesNotContain("s3cret-pw");
              assertThat(f.excerpt()).doesNotContain("s3cret-pw");
            });
  }

  @Test
  @DisplayName(
      "G7: a placeholder value holding a quote ends its string literal: a deploy-will-fail error on"
          + " every environment that names the placeholder, never the value (attacker 23/04)")
  void placeholderValueEndingItsLiteral() throws Exception {
    file(
        "V2__x.sql",
        "-- the app's password: '${app_password}'\n"
            + "INSERT INTO app_settings VALUES ('smtp_password', '${app_password}');\n"
            + "INSERT INTO app_settings VALUES ('doubled', '${doubled}');\n"
            + "INSERT INTO app_settings VALUES ('sql', ${expression});\n");
    LintReport r =
        lint(
            DatabaseKind.POSTGRESQL,
            values(
                Map.of(
                    "app_password", "${APP_PW}", "doubled", "O''Brien", "expression", "'a' || 'b'"),
                Map.of("APP_PW", "Kq7'vTr9ZmW2pLx8")));
    assertThat(willFail(r))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isEqualTo(2);
              assertThat(f.severity()).isEqualTo(Severity.ERROR);
              assertThat(f.message()).contains("${app_password}", "holds a quote");
            });
    assertThat(r.findings())
        .allSatisfy(
            f ->
                assertThat(f.message() + f.excerpt() + f.recipe())
                    .doesNotContain("vTr9ZmW2pLx8")
                    .doesNotContain("Kq7"));
  }

  @Test
  @DisplayName(
      "G7: a placeholder value ending its literal is one finding (deploy-will-fail), not also an"
          + " unknown-statement for the text the value leaves behind (new user NU27/11)")
  void placeholderQuoteIsOneFinding() throws Exception {
    file(
        "V2__x.sql",
        "INSERT INTO app_settings VALUES ('owner', '${owner}');\n"
            + "INSERT INTO app_settings VALUES ('other', 'x');\n");
    LintReport r = lint(DatabaseKind.POSTGRESQL, values(Map.of("owner", "O'Brien"), Map.of()));
    assertThat(r.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo("deploy-will-fail");
              assertThat(f.message()).contains("${owner}", "holds a quote");
            });
  }

  @Test
  @DisplayName("G7: Flyway's placeholderPrefix and placeholderSuffix are honoured")
  void prefixAndSuffix() throws Exception {
    file("V2__x.sql", "CREATE TABLE #[prefix]_items (id int, price text DEFAULT '${not_one}');\n");
    Map<String, ConfigValue> v = Map.of("prefix", new ConfigValue("app", "prodguard.yml", 7, "p"));
    LintReport r =
        lint(
            DatabaseKind.POSTGRESQL,
            Placeholders.resolve(new ProdguardConfig.Placeholders("#[", "]", v), Map.of()));
    assertThat(r.findings()).isEmpty();
  }

  @Test
  @DisplayName(
      "G7: transactional and non-transactional statements in one file are refused as Flyway"
          + " refuses them")
  void mixedStatements() throws Exception {
    LintReport r =
        lint("ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX CONCURRENTLY t_c ON t (c);\n");
    assertThat(willFail(r))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isEqualTo(2);
              assertThat(f.message())
                  .contains("Detected both transactional and non-transactional statements");
              assertThat(f.recipe()).contains("migration of its own", "V2__x.sql.conf");
            });
  }

  @Test
  @DisplayName(
      "G7: a statement PostgreSQL refuses in a transaction, which Flyway does not recognise"
          + " (REINDEX CONCURRENTLY) or a .conf forces into one, is refused without"
          + " executeInTransaction=false")
  void refusedInTransaction() throws Exception {
    assertThat(willFail(lint("REINDEX INDEX CONCURRENTLY t_pkey;\n")))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("REINDEX ... CONCURRENTLY"));
    file("V2__x.sql.conf", "executeInTransaction=false\n");
    assertThat(willFail(lint("REINDEX INDEX CONCURRENTLY t_pkey;\n"))).isEmpty();

    file("V2__x.sql.conf", "executeInTransaction=true\n");
    assertThat(willFail(lint("CREATE INDEX CONCURRENTLY t_c ON t (c);\n")))
        .singleElement()
        .satisfies(
            f -> assertThat(f.message()).contains("V2__x.sql.conf sets executeInTransaction=true"));
    Files.delete(dir.resolve("V2__x.sql.conf"));
    assertThat(willFail(lint("CREATE INDEX CONCURRENTLY t_c ON t (c);\n"))).isEmpty();
    assertThat(willFail(lint("VACUUM t;\n"))).isEmpty();
    assertThat(willFail(lint("CREATE TABLE u (id int);\nVACUUM t;\n"))).hasSize(1);
    assertThat(willFail(lint("CREATE DATABASE other;\nCREATE TABLE u (id int);\n"))).hasSize(1);
    assertThat(willFail(lint("ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;\n"))).hasSize(1);
    // PostgreSQL 12 and later run ALTER TYPE ... ADD VALUE in a transaction, as Flyway then does
    assertThat(willFail(lint("ALTER TYPE s ADD VALUE 'x';\nCREATE TABLE u (id int);\n"))).isEmpty();
  }

  @Test
  @DisplayName("G7: MariaDB has no statement it refuses in a transaction: nothing is predicted")
  void mariadb() throws Exception {
    file("V2__x.sql", "CREATE TABLE t (id int);\nCREATE INDEX t_id ON t (id);\n");
    assertThat(willFail(lint(DatabaseKind.MARIADB, Placeholders.NONE))).isEmpty();
  }

  @Test
  @DisplayName("G7: a .sql name Flyway refuses (lower-case v2__x.sql) is reported, not skipped")
  void refusedName() throws Exception {
    file("V1__a.sql", "CREATE TABLE a (id int);\n");
    file("v2__lower.sql", "CREATE TABLE b (id int);\n");
    assertThat(willFail(lint(DatabaseKind.POSTGRESQL, Placeholders.NONE)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.file()).endsWith("v2__lower.sql");
              assertThat(f.message()).contains("Flyway refuses the name v2__lower.sql");
            });
  }
}
