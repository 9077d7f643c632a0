package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A row change, then a statement that runs a user routine whose body commits: MariaDB commits the
 * row change with the first DDL statement the procedure (or a {@code BEGIN NOT ATOMIC} block) runs,
 * PostgreSQL with the procedure's {@code COMMIT}. When the migration fails later, the row change
 * stays and the version is missing from the history (G7). Only a DDL after row changes in one body
 * or one statement list was {@code transaction-control}; a row change in an earlier statement of
 * the migration, then a {@code CALL} of a procedure the migrations define that runs DDL, passed
 * with no finding.
 */
@DisplayName("G7: a called routine that commits the migration's earlier row changes is flagged")
class G7CalledDdlAfterRowChangesLintTest {
  @TempDir Path dir;

  static final String MARIADB_HISTORY =
      """
      CREATE TABLE orders (id int primary key, total int);
      CREATE PROCEDURE widen() BEGIN ALTER TABLE orders ADD COLUMN memo varchar(20); END;
      CREATE PROCEDURE outer_widen() BEGIN SELECT 1; CALL widen(); END;
      CREATE PROCEDURE tally() BEGIN UPDATE orders SET total = 0 WHERE id = 1; END;
      """;

  static final String POSTGRES_HISTORY =
      """
      CREATE TABLE orders (id int primary key, total int);
      CREATE SCHEMA app;
      CREATE PROCEDURE app.flush() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$;
      CREATE PROCEDURE widen() LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE orders ADD COLUMN memo text; END $$;
      """;

  /**
   * The rules V2 breaks; {@code history} is V1, or the head of V2 itself when not {@code apart}.
   */
  List<String> rules(DatabaseKind kind, String history, boolean apart, String sql)
      throws Exception {
    List<Path> files = new ArrayList<>();
    if (apart) {
      files.add(Files.writeString(dir.resolve("V1__history.sql"), history, StandardCharsets.UTF_8));
    }
    files.add(
        Files.writeString(
            dir.resolve("V2__call.sql"), (apart ? "" : history) + sql, StandardCharsets.UTF_8));
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .lintFiles(files, c, true).findings().stream()
            .filter(f -> f.location().file().endsWith("V2__call.sql"))
            .filter(f -> f.location().line() > (apart ? 0 : history.split("\n").length))
            .map(Finding::rule)
            .distinct()
            .toList();
  }

  @ParameterizedTest(name = "G7: MariaDB {0} (routine defined in an earlier migration: {1})")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          INSERT INTO orders VALUES (1, 0); CALL widen();                                   | true
          INSERT INTO orders VALUES (1, 0); CALL widen();                                   | false
          UPDATE orders SET total = 1 WHERE id = 1; CALL outer_widen;                        | true
          CALL tally(); CALL widen();                                                        | true
          DELETE FROM orders WHERE id = 1; BEGIN NOT ATOMIC ALTER TABLE orders ADD COLUMN x int; END; | true
          """)
  void mariadbRowChangesThenACalledDdl(String sql, boolean apart) throws Exception {
    assertThat(rules(DatabaseKind.MARIADB, MARIADB_HISTORY, apart, sql))
        .contains("transaction-control");
  }

  @Test
  @DisplayName("G7: MariaDB DDL, then a called DDL: the migration stays half applied")
  void mariadbDdlThenACalledDdl() throws Exception {
    assertThat(
            rules(
                DatabaseKind.MARIADB,
                MARIADB_HISTORY,
                true,
                "CREATE TABLE notes (id int); CALL widen();"))
        .contains("implicit-commit")
        .doesNotContain("transaction-control");
  }

  @ParameterizedTest(name = "G7: MariaDB {0} commits no row change")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CALL widen(); INSERT INTO orders VALUES (1, 0);
          SELECT id FROM orders; CALL widen();
          """)
  void mariadbNothingToCommit(String sql) throws Exception {
    assertThat(rules(DatabaseKind.MARIADB, MARIADB_HISTORY, true, sql))
        .doesNotContain("transaction-control", "implicit-commit");
  }

  @Test
  @DisplayName("G7: MariaDB a row change, then a procedure whose body is unknown, fails closed")
  void mariadbUnknownBody() throws Exception {
    assertThat(
            rules(
                DatabaseKind.MARIADB,
                MARIADB_HISTORY,
                true,
                "INSERT INTO orders VALUES (1, 0); CALL somewhere_else();"))
        .contains("transaction-control");
  }

  @ParameterizedTest(name = "G7: PostgreSQL {0} (procedure defined in an earlier migration: {1})")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          INSERT INTO orders VALUES (1, 0); CALL app.flush(); | true
          INSERT INTO orders VALUES (1, 0); CALL flush();     | false
          INSERT INTO orders VALUES (1, 0); CALL unknown_p(); | true
          """)
  void postgresRowChangesThenACalledCommit(String sql, boolean apart) throws Exception {
    assertThat(rules(DatabaseKind.POSTGRESQL, POSTGRES_HISTORY, apart, sql))
        .contains("transaction-control");
  }

  @Test
  @DisplayName("G7: PostgreSQL a called DDL is transactional: no transaction-control")
  void postgresCalledDdl() throws Exception {
    assertThat(
            rules(
                DatabaseKind.POSTGRESQL,
                POSTGRES_HISTORY,
                true,
                "INSERT INTO orders VALUES (1, 0); CALL widen();"))
        .doesNotContain("transaction-control");
  }
}
