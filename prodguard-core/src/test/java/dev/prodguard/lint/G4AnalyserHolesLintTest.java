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
 * Each migration passed {@code lint} under the default contract (with {@code orders} protected)
 * before: now a blocking finding of the named rule refuses it on a protected environment, or (the
 * last cases) a false positive is gone.
 */
@DisplayName("G4: the attacker's migrations are refused by lint")
class G4AnalyserHolesLintTest {
  @TempDir Path dir;

  List<String> blocking(DatabaseKind kind, String sql) throws Exception {
    Path f = Files.writeString(dir.resolve("V2__x.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            "version: 1\nprotected-tables:\n  orders: {}\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .lintFiles(List.of(f), c, true).blocking().stream().map(Finding::rule).distinct().toList();
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE VIEW v AS SELECT * FROM orders; DELETE FROM v WHERE id = 1; | protected-table-write
          CREATE RULE r AS ON INSERT TO scratch DO ALSO DELETE FROM orders WHERE id > 0; INSERT INTO scratch VALUES (1); | protected-table-write
          DELETE FROM U&"ord\\0065rs" WHERE id = 1; | protected-table-write
          DELETE FROM ${flyway:defaultSchema}.orders WHERE id = 1; | protected-table-write
          UPDATE ${victim} SET v = 1 WHERE id = 1; | unknown-statement
          DELETE FROM ${flyway:table} WHERE version = '9'; | prodguard-objects
          UPDATE pg_catalog.pg_trigger SET tgenabled = 'D' WHERE tgrelid = 1; | prodguard-objects
          DROP TYPE kind CASCADE; | drop-cascade
          CREATE POLICY hide ON orders USING (false); | protected-table-write
          ALTER INDEX orders RENAME TO gone; | protected-table-write
          ALTER TABLE p ATTACH PARTITION orders FOR VALUES IN (1); | protected-table-write
          DELETE FROM users WHERE now() > '2000-01-01'; | delete-without-where
          UPDATE users SET v = 1 WHERE EXISTS (SELECT 1); | update-without-where
          """)
  void postgres(String sql, String rule) throws Exception {
    assertThat(blocking(DatabaseKind.POSTGRESQL, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: MariaDB {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE OR REPLACE TABLE orders (id int); | protected-table-write
          CREATE OR REPLACE TABLE orders (id int); | drop-table
          DELETE s, o FROM staging s JOIN orders o ON s.id = o.id WHERE s.id = 1; | protected-table-write
          UPDATE staging s JOIN orders o ON s.id = o.id SET o.total = 0 WHERE s.id = 1; | protected-table-write
          LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE staging; | unknown-statement
          ALTER TABLE users NOWAIT DROP COLUMN name; | drop-column
          INSERT INTO audit VALUES (1); ALTER TABLE users ADD COLUMN n int; | transaction-control
          CREATE PROCEDURE p() BEGIN DECLARE EXIT HANDLER FOR SQLEXCEPTION ROLLBACK; UPDATE users SET n = 1 WHERE id = 1; END; CALL p(); | transaction-control
          UPDATE mysql.proc SET body = 'BEGIN END' WHERE name = 'x'; | prodguard-objects
          """)
  void mariadb(String sql, String rule) throws Exception {
    assertThat(blocking(DatabaseKind.MARIADB, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: PL/pgSQL {0} is not an unknown statement")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched = now(); RETURN NEW; END $$;
          CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ DECLARE a int; b text; c int := 2; BEGIN a = c; RETURN a; END $$;
          """)
  void noise(String sql) throws Exception {
    assertThat(blocking(DatabaseKind.POSTGRESQL, sql)).isEmpty();
  }
}
