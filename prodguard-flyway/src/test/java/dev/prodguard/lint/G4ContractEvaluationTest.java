package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

@DisplayName("G4: migrations are judged against the contract")
class G4ContractEvaluationTest {
  @TempDir Path dir;
  Path migrations;

  @BeforeEach
  void setUp() throws Exception {
    migrations = Files.createDirectories(dir.resolve("db/migration"));
  }

  Path migration(String name, String sql) throws Exception {
    return Files.writeString(migrations.resolve(name), sql, StandardCharsets.UTF_8);
  }

  Contract contract(String yaml) throws Exception {
    Path f = dir.resolve("prodguard-contract.yml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    return ContractLoader.load(f);
  }

  static final FlywayMigrationEngine ENGINE = new FlywayMigrationEngine();

  /** Every file the engine runs in the location, as {@code prodguard lint} reads it. */
  LintReport lintAll(Contract c, boolean protectedEnv) {
    return new Linter(DatabaseKind.POSTGRESQL)
        .lint(
            ENGINE.discover(read(List.of(migrations)), DatabaseKind.POSTGRESQL).analysed(),
            List.of(),
            c,
            protectedEnv,
            true);
  }

  /** The files as the engine discovers them, as verify hands them to the linter. */
  static List<MigrationSource> sources(List<Path> files) {
    return ENGINE.discover(read(files), DatabaseKind.POSTGRESQL).analysed();
  }

  private static MigrationFiles read(List<Path> paths) {
    return MigrationFiles.read(paths);
  }

  @Test
  @DisplayName("G4: the contract check fails when a migration breaks it")
  void migrationBreaksContract() throws Exception {
    migration("V1__init.sql", "CREATE TABLE orders (id bigint primary key);\n");
    migration("V2__oops.sql", "DROP TABLE orders;\n");
    LintReport r = lintAll(contract("version: 1\n"), true);
    assertThat(r.hasErrors()).isTrue();
    assertThat(r.blocking())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo("drop-table");
              assertThat(f.migration()).isEqualTo("V2");
              assertThat(f.line()).isEqualTo(1);
              assertThat(f.file()).endsWith("V2__oops.sql");
            });
    assertThat(r.contractSha256()).hasSize(64);
  }

  @Test
  @DisplayName("G4: a forbidden rule is only a warning outside protected environments")
  void nonProtectedIsWarning() throws Exception {
    migration("V1__oops.sql", "DROP TABLE orders;\n");
    LintReport r = lintAll(contract("version: 1\n"), false);
    assertThat(r.hasErrors()).isFalse();
    assertThat(r.findings()).extracting(Finding::severity).containsExactly(Severity.WARNING);
  }

  @Test
  @DisplayName(
      "G4: a rule left out of 'forbidden' is not an error, but unknown statements still are")
  void forbiddenListDecides() throws Exception {
    migration("V1__a.sql", "DROP TABLE orders;\nFROBNICATE everything;\n");
    LintReport r = lintAll(contract("version: 1\nforbidden: [truncate]\n"), true);
    assertThat(r.blocking()).extracting(Finding::rule).containsExactly("unknown-statement");
    assertThat(r.findings()).extracting(Finding::rule).contains("drop-table");
  }

  @Test
  @DisplayName("G4: an exception for one migration and one rule covers exactly that finding")
  void matchingException() throws Exception {
    migration("V41__a.sql", "ALTER TABLE orders DROP COLUMN a;\n");
    migration("V42__b.sql", "ALTER TABLE orders DROP COLUMN legacy_ref;\nDROP TABLE x;\n");
    Contract c =
        contract(
            "version: 1\nexceptions:\n"
                + "  - { migration: V42, rule: drop-column, reason: \"unused since V37\" }\n");
    LintReport r = lintAll(c, true);
    assertThat(r.findings())
        .filteredOn(Finding::covered)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.migration()).isEqualTo("V42");
              assertThat(f.coveredBy().reason()).isEqualTo("unused since V37");
            });
    // the same rule in another migration and another rule in the same migration stay errors
    assertThat(r.blocking())
        .extracting(f -> f.migration() + " " + f.rule())
        .containsExactlyInAnyOrder("V41 drop-column", "V42 drop-table");
  }

  @Test
  @DisplayName("G4: an exception that matches nothing is itself an error")
  void nonMatchingException() throws Exception {
    migration("V42__b.sql", "ALTER TABLE orders ADD COLUMN note text;\n");
    Contract c =
        contract(
            "version: 1\nexceptions:\n"
                + "  - { migration: V42, rule: drop-column, reason: \"was needed once\" }\n");
    LintReport r = lintAll(c, false);
    assertThat(r.hasErrors()).isTrue();
    assertThat(r.blocking())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo(Linter.UNUSED_EXCEPTION);
              assertThat(f.file()).endsWith("prodguard-contract.yml");
              assertThat(f.line()).isEqualTo(3);
            });
  }

  @Test
  @DisplayName("G4: an exception naming a migration that does not exist is an error")
  void exceptionForMissingMigration() throws Exception {
    migration("V1__a.sql", "SELECT 1;\n");
    Contract c =
        contract(
            "version: 1\nexceptions:\n  - { migration: V99, rule: truncate, reason: later }\n");
    assertThat(lintAll(c, true).blocking())
        .extracting(Finding::message)
        .singleElement()
        .asString()
        .contains("does not exist");
    // linting only some files (verify's pending set) does not judge other migrations' exceptions
    Path v1 = migrations.resolve("V1__a.sql");
    assertThat(
            new Linter(DatabaseKind.POSTGRESQL)
                .lint(sources(List.of(v1)), List.of(), c, true, false)
                .hasErrors())
        .isFalse();
  }

  @Test
  @DisplayName("G4: an exception without a reason is refused when the contract loads")
  void exceptionWithoutReason() {
    assertThatThrownBy(
            () -> contract("version: 1\nexceptions:\n  - { migration: V1, rule: truncate }\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("reason");
  }

  @Test
  @DisplayName("G4: unknown statements fail closed on protected environments")
  void unknownFailsClosed() throws Exception {
    migration("V1__a.sql", "MAGIC WAND orders;\nSELECT 'never closed;\n");
    LintReport r = lintAll(contract("version: 1\nforbidden: []\n"), true);
    assertThat(r.blocking())
        .extracting(Finding::rule, Finding::line)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("unknown-statement", 1),
            org.assertj.core.groups.Tuple.tuple("unknown-statement", 2));
  }

  @Test
  @DisplayName(
      "G7: transaction control in a migration is an error on unprotected environments too,"
          + " whatever 'forbidden' says")
  void transactionControlEverywhere() throws Exception {
    migration("V1__kind.sql", "CREATE TYPE kind AS ENUM ('a');\n");
    migration(
        "V2__kind_x.sql",
        "COMMIT;\nALTER TYPE kind ADD VALUE 'x';\nBEGIN;\nINSERT INTO t VALUES ('x');\n");
    for (boolean protectedEnv : new boolean[] {true, false}) {
      LintReport r = lintAll(contract("version: 1\nforbidden: []\n"), protectedEnv);
      assertThat(r.blocking())
          .extracting(Finding::rule, Finding::line)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("transaction-control", 1),
              org.assertj.core.groups.Tuple.tuple("transaction-control", 3));
    }
  }

  @Test
  @DisplayName(
      "G10: a migration that touches prodguard's own objects is an error on every environment,"
          + " and exceptions for other rules do not cover it")
  void prodguardObjectsEverywhere() throws Exception {
    migration(
        "V1__tidy.sql", "SET session_replication_role = replica;\nDELETE FROM prodguard_audit;\n");
    Contract c =
        contract(
            "version: 1\nforbidden: []\nexceptions:\n"
                + "  - { migration: V1, rule: delete-without-where, reason: \"reviewed\" }\n");
    for (boolean protectedEnv : new boolean[] {true, false}) {
      LintReport r = lintAll(c, protectedEnv);
      assertThat(r.blocking())
          .extracting(Finding::rule, Finding::line)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("prodguard-objects", 1),
              org.assertj.core.groups.Tuple.tuple("prodguard-objects", 2));
    }
  }

  @Test
  @DisplayName(
      "G4: a call in a pending migration is judged by the body an applied migration defined;"
          + " without it, the call is opaque")
  void callsFollowAppliedBodies() throws Exception {
    Path v1 =
        migration(
            "V1__purge.sql",
            "CREATE FUNCTION purge() RETURNS void LANGUAGE sql AS $$ DELETE FROM orders $$;\n");
    Path v2 = migration("V2__run.sql", "SELECT purge();\n");
    Contract c =
        contract(
            "version: 1\nexceptions:\n"
                + "  - { migration: V1, rule: delete-without-where, reason: \"defined only\" }\n");
    Linter linter = new Linter(DatabaseKind.POSTGRESQL);
    LintReport pending = linter.lint(sources(List.of(v2)), sources(List.of(v1)), c, true, false);
    assertThat(pending.blocking())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo("delete-without-where");
              assertThat(f.migration()).isEqualTo("V2");
              assertThat(f.message()).contains("in purge() at ", ", run by this statement");
            });
    LintReport alone = linter.lint(sources(List.of(v2)), List.of(), c, true, false);
    assertThat(alone.blocking()).extracting(Finding::rule).containsExactly("dynamic-sql");
    LintReport all = lintAll(c, true);
    assertThat(all.blocking()).extracting(Finding::rule).containsExactly("delete-without-where");
  }

  @Test
  @DisplayName("G4: inline SQL comments cannot suppress a finding")
  void commentsCannotSuppress() throws Exception {
    migration(
        "V1__a.sql",
        "-- prodguard:disable drop-table\n"
            + "/* prodguard-ignore */ DROP TABLE orders; -- noqa\n"
            + "DROP TABLE x /* nosec */;\n");
    assertThat(lintAll(contract("version: 1\n"), true).blocking()).hasSize(2);
  }

  @Test
  @DisplayName("G4: protected tables refuse writes except to writable columns")
  void protectedTables() throws Exception {
    migration(
        "V1__a.sql",
        "UPDATE users SET last_login_at = now() WHERE id = 1;\n"
            + "UPDATE users SET email = 'x', last_login_at = now() WHERE id = 1;\n");
    LintReport r =
        lintAll(
            contract(
                "version: 1\nprotected-tables:\n  users: { writable-columns: [last_login_at] }\n"),
            true);
    assertThat(r.blocking())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.line()).isEqualTo(2);
              assertThat(f.message()).contains("[email]");
            });
  }

  @Test
  @DisplayName(
      "G4: migrations are read in Flyway's order; repeatable after versioned; a .sql name Flyway"
          + " refuses is a deploy-will-fail finding, not skipped")
  void flywayOrder() throws Exception {
    migration("V10__c.sql", "SELECT 1;");
    migration("V2__b.sql", "SELECT 1;");
    migration("R__views.sql", "SELECT 1;");
    migration("V1.1__a.sql", "SELECT 1;");
    migration("U2__undo.sql", "SELECT 1;");
    migration("beforeMigrate.sql", "SELECT 1;");
    migration("README.txt", "not sql");
    migration("notes.sql", "SELECT 1;");
    LintReport r = lintAll(contract("version: 1\n"), true);
    assertThat(r.files().stream().map(f -> Path.of(f).getFileName().toString()))
        .containsExactly(
            "V1.1__a.sql",
            "V2__b.sql",
            "V10__c.sql",
            "R__views.sql",
            "U2__undo.sql",
            "beforeMigrate.sql",
            "notes.sql");
    assertThat(r.statements()).isEqualTo(7);
    assertThat(r.blocking())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo("deploy-will-fail");
              assertThat(f.file()).endsWith("notes.sql");
              assertThat(f.message()).contains("Flyway refuses the name notes.sql");
            });
  }

  @Test
  @DisplayName("G4: two migrations with the same version are refused, as Flyway refuses them")
  void duplicateVersions() throws Exception {
    migration("V1__a.sql", "SELECT 1;");
    migration("V1.0__b.sql", "SELECT 1;");
    assertThatThrownBy(() -> lintAll(contract("version: 1\n"), true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("more than one migration with version V1");
  }

  @Test
  @DisplayName("G4: a migration that is not UTF-8 cannot be analysed and is refused")
  void notUtf8() throws Exception {
    Files.write(migrations.resolve("V1__a.sql"), new byte[] {'S', 'E', (byte) 0xff, ';'});
    assertThat(lintAll(contract("version: 1\n"), true).blocking())
        .extracting(Finding::rule)
        .containsExactly("unknown-statement");
  }
}
