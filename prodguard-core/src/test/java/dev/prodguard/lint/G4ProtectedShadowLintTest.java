package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G4 (attack 22, finding 14): a relation or function that takes a protected table's name in another
 * schema shadows it for every role whose search path lists that schema first (a schema named like
 * the role is {@code "$user"} on PostgreSQL's default path): the application then reads and writes
 * the new object. Handing a role ownership ({@code OWNER TO}, {@code AUTHORIZATION}) is a grant.
 * And (finding 01) MariaDB's {@code SETVAL} changes the sequence it names.
 */
@DisplayName("G4: shadows of a protected table and ownership handed to a role are refused by lint")
class G4ProtectedShadowLintTest {
  @TempDir Path dir;

  private static final String V1 = "CREATE TABLE users (id INT PRIMARY KEY, name TEXT);\n";

  List<Finding> blocking(DatabaseKind kind, String contract, String v2) throws Exception {
    Path v1 = Files.writeString(dir.resolve("V1__init.sql"), V1, StandardCharsets.UTF_8);
    Path f = Files.writeString(dir.resolve("V2__x.sql"), v2, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            ("version: 1\nforbidden: [grant]\nprotected-tables:\n  " + contract + ": {}\n")
                .getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .lintFiles(List.of(v1, f), c, true).blocking().stream()
            .filter(x -> x.file().endsWith("V2__x.sql"))
            .toList();
  }

  private static List<String> rules(List<Finding> findings) {
    return findings.stream().map(Finding::rule).distinct().toList();
  }

  @ParameterizedTest(name = "G4: {0}")
  @ValueSource(
      strings = {
        "CREATE TABLE app.users (id INT PRIMARY KEY, name TEXT);",
        "CREATE VIEW app.users AS SELECT 1 AS id;",
        "CREATE FUNCTION app.users() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "CREATE TABLE app.people (id INT); ALTER TABLE app.people RENAME TO users;",
        "CREATE TABLE archive.users2 (id INT); ALTER TABLE archive.users2 SET SCHEMA app;"
            + " ALTER TABLE app.users2 RENAME TO users;",
      })
  void shadowRefused(String v2) throws Exception {
    List<Finding> found = blocking(DatabaseKind.POSTGRESQL, "users", v2);

    assertThat(rules(found)).contains("protected-table-write");
    assertThat(found)
        .filteredOn(x -> x.rule().equals("protected-table-write"))
        .first()
        .satisfies(
            x ->
                assertThat(x.message())
                    .contains("protected table users", "in schema app", "\"$user\""));
  }

  @Test
  @DisplayName("G4: a protected table's schema named in the contract: another schema shadows it")
  void qualifiedContract() throws Exception {
    assertThat(
            rules(
                blocking(
                    DatabaseKind.POSTGRESQL,
                    "public.users",
                    "CREATE TABLE app.users (id INT PRIMARY KEY);")))
        .contains("protected-table-write");
    assertThat(
            rules(
                blocking(
                    DatabaseKind.POSTGRESQL,
                    "public.users",
                    "CREATE TABLE app.accounts (id INT);")))
        .doesNotContain("protected-table-write");
  }

  @Test
  @DisplayName("G4: CREATE SCHEMA ... AUTHORIZATION and OWNER TO hand a role privileges: a grant")
  void ownershipIsAGrant() throws Exception {
    assertThat(
            rules(
                blocking(
                    DatabaseKind.POSTGRESQL,
                    "users",
                    "CREATE SCHEMA reports AUTHORIZATION app_role;")))
        .contains("grant");
    assertThat(
            rules(
                blocking(
                    DatabaseKind.POSTGRESQL,
                    "users",
                    "CREATE TABLE reports (id INT); ALTER TABLE reports OWNER TO app_role;")))
        .contains("grant");
  }

  @Test
  @DisplayName("G4: the repro's migration (schema named like the application's role) is refused")
  void roleSchemaShadow() throws Exception {
    List<String> rules =
        rules(
            blocking(
                DatabaseKind.POSTGRESQL,
                "users",
                "CREATE SCHEMA app_role AUTHORIZATION app_role;\n"
                    + "CREATE TABLE app_role.users (id INT PRIMARY KEY, name TEXT);\n"
                    + "ALTER TABLE app_role.users OWNER TO app_role;\n"));
    assertThat(rules).contains("protected-table-write", "grant");
  }

  @Test
  @DisplayName("G4: MariaDB SETVAL names the sequence it changes (judged as ALTER SEQUENCE)")
  void mariaDbSetval() {
    List<String> ops = new java.util.ArrayList<>();
    new Linter(DatabaseKind.MARIADB)
        .analyse(
            "V2__x.sql", "SELECT SETVAL(users_seq, 1);", op -> ops.add(op + " " + op.detail()));
    // verify judges the sequence against the protected tables' column defaults
    assertThat(ops).contains("alter-other users_seq SEQUENCE");
  }
}
