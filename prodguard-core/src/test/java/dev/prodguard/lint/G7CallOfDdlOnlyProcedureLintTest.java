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
 * MariaDB: a {@code CALL} of a procedure the migrations define is judged by its body (G7). A body
 * that only runs DDL changes no row, so the DDL after the call commits no row change: an
 * implicit-commit warning, not transaction-control. Kestra's V1_1 (new user NU27/04) wraps each
 * {@code ALTER TABLE} in a procedure with a {@code CONTINUE HANDLER}, calls it and drops it; every
 * DDL after the first such call was an error, because the call itself counted as a row change. A
 * body with row changes, an explicit {@code START TRANSACTION}/{@code COMMIT}, dynamic SQL, or a
 * procedure the migrations do not define still fails closed.
 */
@DisplayName("G7: a CALL of a procedure that only runs DDL is no row change (MariaDB)")
class G7CallOfDdlOnlyProcedureLintTest {
  @TempDir Path dir;

  /** Kestra's pattern: a procedure per DDL, called, then dropped; then DDL of the migration. */
  static final String KESTRA_PATTERN =
      """
      CREATE TABLE IF NOT EXISTS orders (id int primary key, total int);
      CREATE PROCEDURE IF NOT EXISTS `?`()
      BEGIN
          DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
          ALTER TABLE orders ADD COLUMN memo varchar(20);
      END;
      CALL `?`();
      DROP PROCEDURE `?`;
      CREATE PROCEDURE IF NOT EXISTS `?`()
      BEGIN
          DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;
          ALTER TABLE orders ADD COLUMN note varchar(20);
      END;
      CALL `?`();
      DROP PROCEDURE `?`;
      ALTER TABLE orders MODIFY COLUMN memo varchar(40);
      CREATE INDEX ix_orders_total ON orders (total);
      """;

  List<Finding> lint(String sql) throws Exception {
    Path file = Files.writeString(dir.resolve("V1__initial.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(DatabaseKind.MARIADB).lintFiles(List.of(file), c, true).findings();
  }

  static List<String> rules(List<Finding> findings) {
    return findings.stream().map(Finding::rule).distinct().toList();
  }

  @Test
  @DisplayName("G7: Kestra's DDL-only procedures: implicit-commit warnings, no transaction-control")
  void ddlOnlyProcedures() throws Exception {
    List<Finding> findings = lint(KESTRA_PATTERN);
    assertThat(rules(findings)).contains("implicit-commit").doesNotContain("transaction-control");
  }

  @ParameterizedTest(name = "G7: a procedure whose body is ''{0}'' still fails closed")
  @ValueSource(
      strings = {
        "UPDATE orders SET total = 0 WHERE id = 1;",
        "START TRANSACTION; ALTER TABLE orders ADD COLUMN x int; COMMIT;",
        "ALTER TABLE orders ADD COLUMN x int; INSERT INTO orders VALUES (2, 0);",
        "PREPARE s FROM @sql; EXECUTE s;"
      })
  void bodiesThatCommitOrChangeRows(String body) throws Exception {
    String sql =
        "CREATE TABLE IF NOT EXISTS orders (id int primary key, total int);\n"
            + "CREATE PROCEDURE p() BEGIN "
            + body
            + " END;\n"
            + "CALL p();\n"
            + "ALTER TABLE orders ADD COLUMN y int;\n";
    assertThat(rules(lint(sql))).contains("transaction-control");
  }

  @Test
  @DisplayName("G7: a procedure the migrations do not define fails closed")
  void unknownProcedure() throws Exception {
    String sql =
        "CREATE TABLE IF NOT EXISTS orders (id int primary key, total int);\n"
            + "CALL defined_elsewhere();\n"
            + "ALTER TABLE orders ADD COLUMN y int;\n";
    assertThat(rules(lint(sql))).contains("transaction-control");
  }
}
