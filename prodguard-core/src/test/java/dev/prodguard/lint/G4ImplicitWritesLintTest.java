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
 * Statements that rewrite or delete rows without saying so: an upsert or {@code REPLACE} fed by a
 * query, MariaDB's {@code ALTER IGNORE} and row-losing engines, a destructive routine from reviewed
 * history run implicitly (a column default, a generated column, a CHECK, an index expression, a
 * view, a {@code VALIDATE CONSTRAINT}, a {@code REFRESH}), a schema-qualified call resolved to a
 * same-named routine of another schema, and a temporary table shadowing a protected one. Each
 * passed {@code lint} with no error before (attack findings 03, 05, 09, 10); now the named rule
 * refuses the second migration on a protected environment.
 */
@DisplayName("G4: implicit row changes are refused by lint")
class G4ImplicitWritesLintTest {
  @TempDir Path dir;

  /** Reviewed history: destructive helpers, covered by exceptions for V1 only. */
  static final String PG_HISTORY =
      """
      CREATE TABLE orders (id int primary key, total int);
      CREATE TABLE customers (id int primary key, n int);
      CREATE FUNCTION reset_orders() RETURNS int LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; RETURN 0; END $$;
      CREATE SCHEMA util;
      CREATE FUNCTION util.cleanup() RETURNS void LANGUAGE plpgsql AS $$ BEGIN TRUNCATE orders; END $$;
      CREATE FUNCTION cleanup() RETURNS void LANGUAGE plpgsql AS $$ BEGIN RETURN; END $$;
      CREATE TABLE ledger (id int primary key, n int);
      ALTER TABLE ledger ADD CONSTRAINT quiet CHECK (reset_orders() = 0) NOT VALID;
      CREATE MATERIALIZED VIEW order_counts AS SELECT reset_orders() AS n WITH NO DATA;
      """;

  static final String MARIADB_HISTORY =
      """
      CREATE TABLE orders (id int primary key, total int);
      """;

  /** The distinct blocking rules of V2, linted after V1 as a protected environment would. */
  List<String> blocking(DatabaseKind kind, String history, String sql) throws Exception {
    Path v1 = Files.writeString(dir.resolve("V1__history.sql"), history, StandardCharsets.UTF_8);
    Path v2 = Files.writeString(dir.resolve("V2__attack.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            """
            version: 1
            protected-tables:
              orders: {}
            exceptions:
              - { migration: V1, rule: delete-without-where, reason: "demo reset helper" }
              - { migration: V1, rule: truncate, reason: "demo reset helper" }
              - { migration: V1, rule: protected-table-write, reason: "demo reset helper" }
            """
                .getBytes(StandardCharsets.UTF_8));
    return new Linter(kind)
        .lintFiles(List.of(v1, v2), c, true).blocking().stream()
            .filter(f -> f.location().file().endsWith("V2__attack.sql"))
            .map(Finding::rule)
            .distinct()
            .toList();
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          INSERT INTO orders (id, total) SELECT id, 0 FROM orders ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total; | update-without-where
          INSERT INTO customers SELECT id, 0 FROM customers ON CONFLICT (id) DO UPDATE SET n = 0; | update-without-where
          INSERT INTO customers AS c (id, n) TABLE customers ON CONFLICT ON CONSTRAINT customers_pkey DO UPDATE SET n = c.n + 1 RETURNING id; | update-without-where
          ALTER TABLE customers ADD COLUMN score int DEFAULT reset_orders(); | delete-without-where
          ALTER TABLE customers ADD COLUMN g int GENERATED ALWAYS AS (reset_orders()) STORED; | delete-without-where
          ALTER TABLE customers ADD CONSTRAINT c CHECK (reset_orders() = 0); | delete-without-where
          CREATE INDEX i ON customers ((reset_orders())); | delete-without-where
          CREATE TABLE later (id int DEFAULT reset_orders()); | delete-without-where
          ALTER TABLE ledger VALIDATE CONSTRAINT quiet; | delete-without-where
          INSERT INTO ledger VALUES (1, 0); | protected-table-write
          CREATE VIEW order_stats AS SELECT reset_orders() AS n; SELECT * FROM order_stats; | delete-without-where
          CREATE VIEW a AS SELECT reset_orders() AS n; CREATE VIEW b AS SELECT n FROM a; INSERT INTO customers SELECT n, n FROM b; | delete-without-where
          REFRESH MATERIALIZED VIEW order_counts; | delete-without-where
          SELECT util.cleanup(); | truncate
          SET search_path = util, public; SELECT cleanup(); | truncate
          CREATE TEMP TABLE orders (id int, total int); DISCARD TEMP; UPDATE orders SET total = 0 WHERE id > 0; | protected-table-write
          CREATE TEMPORARY TABLE orders (id int, total int); DROP TABLE orders; DELETE FROM orders WHERE id > 0; | protected-table-write
          CREATE LOCAL TEMP TABLE orders (id int, total int) ON COMMIT DROP; UPDATE orders SET total = 0 WHERE id > 0; | protected-table-write
          SELECT * INTO TEMP orders FROM customers; DISCARD ALL; UPDATE orders SET total = 0 WHERE id > 0; | protected-table-write
          """)
  void postgres(String sql, String rule) throws Exception {
    assertThat(blocking(DatabaseKind.POSTGRESQL, PG_HISTORY, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: MariaDB {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          REPLACE INTO orders (id, total) SELECT id, 0 FROM orders; | delete-without-where
          REPLACE customers SELECT * FROM staging; | delete-without-where
          INSERT INTO orders (id, total) SELECT id, 0 FROM orders ON DUPLICATE KEY UPDATE total = 0; | update-without-where
          INSERT INTO customers SELECT * FROM staging ON DUPLICATE KEY UPDATE n = VALUES(n); | update-without-where
          ALTER IGNORE TABLE orders ADD UNIQUE (total); | delete-without-where
          ALTER ONLINE IGNORE TABLE customers ADD PRIMARY KEY (n); | delete-without-where
          ALTER TABLE orders ENGINE=MRG_MyISAM; | truncate
          ALTER TABLE customers ENGINE = BLACKHOLE; | truncate
          ALTER TABLE customers COMMENT 'x', ENGINE MEMORY; | truncate
          CREATE TEMPORARY TABLE orders (id int, total int); DROP TEMPORARY TABLE orders; UPDATE orders SET total = 0 WHERE id > 0; | protected-table-write
          """)
  void mariadb(String sql, String rule) throws Exception {
    assertThat(blocking(DatabaseKind.MARIADB, MARIADB_HISTORY, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} stays quiet")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          INSERT INTO customers (id, n) VALUES (1, 0), (2, 0) ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n;
          INSERT INTO customers SELECT id, 0 FROM staging ON CONFLICT (id) DO NOTHING;
          INSERT INTO customers SELECT id, 0 FROM staging ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n WHERE customers.n IS NULL;
          INSERT INTO customers SELECT s.id, 0 FROM staging s JOIN other o ON o.id = s.id;
          INSERT INTO customers (id, n) OVERRIDING SYSTEM VALUE VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0;
          CREATE TEMP TABLE scratch (id int); INSERT INTO scratch VALUES (1); DELETE FROM scratch WHERE id = 1;
          ALTER TABLE customers ADD COLUMN created timestamptz DEFAULT now();
          CREATE VIEW named AS SELECT lower('X') AS n; SELECT * FROM named;
          """)
  void postgresNoise(String sql) throws Exception {
    assertThat(blocking(DatabaseKind.POSTGRESQL, PG_HISTORY, sql)).isEmpty();
  }

  @ParameterizedTest(name = "G4: MariaDB {0} stays quiet")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          REPLACE INTO customers VALUES (1, 0);
          REPLACE INTO customers SET id = 1, n = 0;
          INSERT INTO customers VALUES (1, 0) ON DUPLICATE KEY UPDATE n = VALUES(n);
          ALTER TABLE customers ENGINE=InnoDB;
          ALTER TABLE customers ENGINE = 'Aria';
          """)
  void mariadbNoise(String sql) throws Exception {
    assertThat(blocking(DatabaseKind.MARIADB, MARIADB_HISTORY, sql)).isEmpty();
  }
}
