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
import org.junit.jupiter.params.provider.CsvSource;

/**
 * G4's "a WHERE that holds for every row counts as none", with the condition's names resolved as
 * the server resolves them (attacker 22, findings 05-09, 12, 13): a routine's parameter that
 * shadows a column (MariaDB) or a column that shadows a parameter (PostgreSQL SQL functions), an
 * unqualified subquery column that SQL reads as the outer one, a subquery over the target itself
 * without a condition, MariaDB's comparison of a character column with a number, and what changes
 * the reading itself ({@code sql_mode}, PL/pgSQL's {@code variable_conflict}): refused. V1 makes
 * the tables (orders has {@code id} and {@code status}, refunds only {@code order_id}); V2 is
 * judged.
 */
@DisplayName("G4: a WHERE is judged with its names resolved as the server resolves them")
class G4WhereNameResolutionLintTest {
  @TempDir Path dir;

  static final String PG_TABLES =
      """
      CREATE TABLE orders (id int PRIMARY KEY, status text, customer_id int);
      CREATE TABLE refunds (order_id int, amount int);
      CREATE TABLE archived (id int, status text);
      """;

  static final String MARIADB_TABLES =
      """
      CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20), flag TINYINT, customer_id INT);
      CREATE TABLE refunds (order_id INT, amount INT);
      """;

  List<Finding> findings(DatabaseKind kind, String sql) throws Exception {
    Path v1 =
        Files.writeString(
            dir.resolve("V1__tables.sql"),
            kind == DatabaseKind.POSTGRESQL ? PG_TABLES : MARIADB_TABLES,
            StandardCharsets.UTF_8);
    Path v2 = Files.writeString(dir.resolve("V2__change.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .lintFiles(List.of(v1, v2), c, true).blocking().stream()
            .filter(f -> f.location().file().endsWith("V2__change.sql"))
            .toList();
  }

  List<String> rules(DatabaseKind kind, String sql) throws Exception {
    return findings(kind, sql).stream().map(Finding::rule).distinct().toList();
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE FUNCTION purge_order(id int) RETURNS void LANGUAGE plpgsql AS $$ #variable_conflict use_column\\nBEGIN DELETE FROM orders WHERE orders.id = id; END $$; | unknown-statement
          CREATE FUNCTION purge(status text) RETURNS void LANGUAGE plpgsql AS $$ #variable_conflict use_variable\\nBEGIN DELETE FROM orders WHERE status = 'void'; END $$; | unknown-statement
          SET plpgsql.variable_conflict = 'use_column'; | unknown-statement
          ALTER DATABASE shop SET plpgsql.variable_conflict = use_column; | unknown-statement
          ALTER ROLE app SET plpgsql.variable_conflict TO use_variable; | unknown-statement
          SELECT set_config('plpgsql.variable_conflict', 'use_column', false); | unknown-statement
          CREATE FUNCTION purge(status text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders WHERE status = 'void'; END $$; SELECT purge('void'); | delete-without-where
          CREATE PROCEDURE purge(status text) LANGUAGE plpgsql AS $$ BEGIN UPDATE orders SET customer_id = 0 WHERE status = 'void'; END $$; CALL purge('void'); | update-without-where
          CREATE FUNCTION purge_order(id int) RETURNS void LANGUAGE sql AS $$ DELETE FROM orders WHERE orders.id = id $$; SELECT purge_order(3); | delete-without-where
          CREATE FUNCTION purge_order(status text) RETURNS void LANGUAGE sql AS $$ DELETE FROM orders WHERE orders.status = status $$; SELECT purge_order('void'); | delete-without-where
          CREATE PROCEDURE purge_order(id int) LANGUAGE sql AS $$ DELETE FROM orders WHERE orders.id = id $$; CALL purge_order(3); | delete-without-where
          DELETE FROM orders WHERE id IN (SELECT id FROM refunds); | delete-without-where
          UPDATE orders SET status = 'refunded' WHERE id IN (SELECT id FROM refunds); | update-without-where
          DELETE FROM orders WHERE id = ANY (SELECT id FROM refunds); | delete-without-where
          DELETE FROM orders WHERE id IN (SELECT id FROM refunds WHERE amount > 0); | delete-without-where
          DELETE FROM orders WHERE id IN (SELECT orders.id FROM refunds); | delete-without-where
          DELETE FROM orders WHERE id = orders.id; | delete-without-where
          DELETE FROM orders o WHERE o.id = orders.id; | delete-without-where
          DELETE FROM orders WHERE id BETWEEN id AND id; | delete-without-where
          DELETE FROM orders WHERE id IN (SELECT o.id FROM orders o); | delete-without-where
          DELETE FROM orders WHERE id IN (TABLE orders); | delete-without-where
          DELETE FROM orders WHERE id IN (SELECT id FROM orders LIMIT 1000000); | delete-without-where
          DELETE FROM orders WHERE ctid IN (SELECT ctid FROM orders); | delete-without-where
          DELETE FROM orders WHERE id = ANY (ARRAY(SELECT id FROM orders)); | delete-without-where
          DELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE status IS NULL OR status IS NOT NULL); | delete-without-where
          UPDATE orders SET status = 'x' WHERE id IN (SELECT id FROM orders ORDER BY id LIMIT 10); | update-without-where
          DELETE FROM orders WHERE status IS NULL OR status IS NOT NULL; | delete-without-where
          DELETE FROM orders WHERE status LIKE '%'; | delete-without-where
          DELETE FROM orders WHERE id IN (SELECT id FROM legacy_refunds); | delete-without-where
          WITH refunds AS (SELECT id FROM orders) DELETE FROM orders WHERE id IN (SELECT id FROM refunds); | delete-without-where
          WITH r AS (SELECT order_id FROM refunds) DELETE FROM orders WHERE id IN (SELECT id FROM r); | delete-without-where
          """)
  void postgresRefused(String sql, String rule) throws Exception {
    assertThat(rules(DatabaseKind.POSTGRESQL, sql.replace("\\n", "\n"))).contains(rule);
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} limits its rows")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM orders WHERE id IN (SELECT order_id FROM refunds);
          DELETE FROM orders WHERE id IN (SELECT r.order_id FROM refunds r WHERE r.amount > 0);
          DELETE FROM orders WHERE id IN (SELECT id FROM archived);
          DELETE FROM orders WHERE customer_id IN (SELECT id FROM customers);
          DELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE status = 'void' LIMIT 1000);
          DELETE FROM orders WHERE id = ANY (SELECT order_id FROM refunds);
          DELETE FROM orders WHERE status IS NULL OR id = 3;
          DELETE FROM orders WHERE status LIKE 'void%';
          WITH d AS (SELECT id FROM orders WHERE status = 'void') DELETE FROM orders WHERE id IN (SELECT id FROM d);
          WITH d AS (SELECT order_id AS id FROM refunds) DELETE FROM orders WHERE id IN (SELECT id FROM d);
          CREATE FUNCTION purge(p_id int) RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders WHERE id = p_id; END $$; SELECT purge(3);
          CREATE FUNCTION purge(p_id int) RETURNS void LANGUAGE sql AS $$ DELETE FROM orders WHERE id = p_id $$; SELECT purge(3);
          CREATE FUNCTION purge(id int) RETURNS void LANGUAGE sql AS $$ DELETE FROM orders WHERE orders.id = $1 $$; SELECT purge(3);
          CREATE FUNCTION purge(id int) RETURNS void LANGUAGE sql AS $$ DELETE FROM orders WHERE orders.id = purge.id $$; SELECT purge(3);
          CREATE FUNCTION purge(p_id int) RETURNS void LANGUAGE plpgsql AS $$ #variable_conflict error\\nDECLARE n int; BEGIN DELETE FROM orders WHERE id = p_id; END $$; SELECT purge(3);
          """)
  void postgresLimited(String sql) throws Exception {
    assertThat(rules(DatabaseKind.POSTGRESQL, sql.replace("\\n", "\n")))
        .doesNotContain("delete-without-where", "update-without-where", "unknown-statement");
  }

  @ParameterizedTest(name = "G4: MariaDB {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SET sql_mode = 'ANSI_QUOTES'; | unknown-statement
          SET SESSION sql_mode = 'ANSI'; | unknown-statement
          SET @@session.sql_mode = 'ORACLE'; | unknown-statement
          SET @@sql_mode := 'PIPES_AS_CONCAT'; | unknown-statement
          SET sql_mode = (SELECT 'ANSI_QUOTES'); | unknown-statement
          SET STATEMENT sql_mode = 'ANSI_QUOTES' FOR DELETE FROM orders WHERE status = "status"; | unknown-statement
          CREATE PROCEDURE purge_orders(IN status VARCHAR(20)) DELETE FROM orders WHERE status = 'void'; CALL purge_orders('void'); | delete-without-where
          CREATE PROCEDURE purge_orders() BEGIN DECLARE status VARCHAR(20) DEFAULT 'void'; DELETE FROM orders WHERE status = 'void'; END; CALL purge_orders(); | delete-without-where
          CREATE PROCEDURE fix(IN status VARCHAR(20)) UPDATE orders SET flag = 1 WHERE status = 'void'; CALL fix('void'); | update-without-where
          DELETE FROM orders WHERE id IN (SELECT id FROM refunds); | delete-without-where
          DELETE FROM orders WHERE status = 0; | delete-without-where
          DELETE FROM orders WHERE NOT status; | delete-without-where
          DELETE FROM orders WHERE status IN (0); | delete-without-where
          DELETE FROM orders WHERE status + 0 = 0; | delete-without-where
          UPDATE orders SET flag = 1 WHERE status = FALSE; | update-without-where
          DELETE FROM orders WHERE 0 = status; | delete-without-where
          DELETE FROM legacy WHERE code = 0; | delete-without-where
          """)
  void mariadbRefused(String sql, String rule) throws Exception {
    assertThat(rules(DatabaseKind.MARIADB, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: MariaDB {0} limits its rows")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM orders WHERE status = 'void';
          DELETE FROM orders WHERE id = 0;
          DELETE FROM orders WHERE flag = 0;
          DELETE FROM orders WHERE status = 5;
          DELETE FROM orders WHERE id IN (SELECT order_id FROM refunds);
          CREATE PROCEDURE purge_orders(IN p_status VARCHAR(20)) DELETE FROM orders WHERE status = p_status; CALL purge_orders('void');
          SET @old_mode = @@sql_mode;
          """)
  void mariadbLimited(String sql) throws Exception {
    assertThat(rules(DatabaseKind.MARIADB, sql))
        .doesNotContain("delete-without-where", "update-without-where", "unknown-statement");
  }

  @Test
  void theFindingSaysWhyAndHowToQualify() throws Exception {
    List<Finding> f =
        findings(
            DatabaseKind.POSTGRESQL, "DELETE FROM orders WHERE id IN (SELECT id FROM refunds);");
    assertThat(f)
        .anySatisfy(
            x ->
                assertThat(x.message())
                    .contains("delete-without-where".isEmpty() ? "" : "refunds")
                    .contains("qualify it (refunds.id)"));
  }
}
