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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MariaDB commits before every DDL statement, also one that a CALLed procedure or a {@code BEGIN
 * NOT ATOMIC} block runs: the row changes the body made before it stay committed when the migration
 * fails later, and a rerun makes them again. Such a body passed {@code lint} with no finding (only
 * a DDL statement of the migration itself was judged); now it is {@code transaction-control}, as
 * the same statements written one after the other in the migration are.
 */
@DisplayName(
    "G7: DDL after row changes inside a called procedure or a block is transaction-control")
class G7ImplicitCommitInBodiesLintTest {
  @TempDir Path dir;

  static final String HISTORY =
      """
      CREATE TABLE orders (id int primary key, total int);
      CREATE PROCEDURE add_then_widen() BEGIN INSERT INTO orders VALUES (7, 0); ALTER TABLE orders ADD COLUMN note varchar(20); END;
      CREATE PROCEDURE widen_then_add() BEGIN ALTER TABLE orders ADD COLUMN memo varchar(20); INSERT INTO orders VALUES (8, 0); END;
      """;

  /** The findings of V2 (rule ids), linted after V1 as a protected environment would. */
  List<String> rules(String sql) throws Exception {
    Path v1 = Files.writeString(dir.resolve("V1__history.sql"), HISTORY, StandardCharsets.UTF_8);
    Path v2 = Files.writeString(dir.resolve("V2__call.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(DatabaseKind.MARIADB)
        .lintFiles(List.of(v1, v2), c, true).blocking().stream()
            .filter(f -> f.location().file().endsWith("V2__call.sql"))
            .map(Finding::rule)
            .distinct()
            .toList();
  }

  @ParameterizedTest(name = "G7: MariaDB {0} is transaction-control")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CALL add_then_widen();
          BEGIN NOT ATOMIC INSERT INTO orders VALUES (9, 0); ALTER TABLE orders ADD COLUMN extra int; END;
          BEGIN NOT ATOMIC UPDATE orders SET total = 1 WHERE id = 7; CALL widen_then_add(); END;
          """)
  void rowChangesThenDdlInABody(String sql) throws Exception {
    assertThat(rules(sql)).contains("transaction-control");
  }

  @ParameterizedTest(name = "G7: MariaDB {0} commits no row change of its own")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CALL widen_then_add();
          BEGIN NOT ATOMIC ALTER TABLE orders ADD COLUMN extra int; INSERT INTO orders VALUES (9, 0); END;
          """)
  void ddlBeforeRowChanges(String sql) throws Exception {
    assertThat(rules(sql)).doesNotContain("transaction-control");
  }
}
