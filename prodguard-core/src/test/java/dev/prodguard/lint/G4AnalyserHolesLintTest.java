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

  @ParameterizedTest(name = "G4: PostgreSQL side effect {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SELECT set_config(concat('session_','replication_role'), 'replica', false); | unknown-statement
          SELECT set_config(reverse('elor_noitacilper_noisses'), 'replica', false); | unknown-statement
          SELECT set_config(name, 'replica', false) FROM pg_settings WHERE name LIKE 'session_rep%'; | unknown-statement
          SELECT set_config('default_transaction_read_only', 'off', false); | unknown-statement
          SELECT set_config('role', 'postgres', false); | unknown-statement
          SET default_transaction_read_only = off; | unknown-statement
          SET search_path = evil, pg_catalog, public; | unknown-statement
          SET search_path TO 'evil', "pg_catalog"; | unknown-statement
          SELECT set_config('search_path', 'evil, pg_catalog', false); | unknown-statement
          SELECT set_config('search_path', current_setting('x'), false); | unknown-statement
          SET ROLE postgres; | unknown-statement
          SET SESSION AUTHORIZATION postgres; | unknown-statement
          ALTER DATABASE app SET session_replication_role = replica; | unknown-statement
          ALTER DATABASE app RESET ALL; | unknown-statement
          ALTER DATABASE app CONNECTION LIMIT 0; | unknown-statement
          ALTER DATABASE app RENAME TO gone; | unknown-statement
          ALTER DATABASE app OWNER TO nobody; | unknown-statement
          ALTER ROLE app SET search_path = evil; | unknown-statement
          ALTER USER app SET default_transaction_read_only = on; | unknown-statement
          ALTER SYSTEM SET fsync = off; | unknown-statement
          ALTER SCHEMA public RENAME TO gone; | unknown-statement
          ALTER SCHEMA public OWNER TO nobody; | unknown-statement
          CREATE PUBLICATION p FOR ALL TABLES; | unknown-statement
          CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p; | unknown-statement
          ALTER SUBSCRIPTION s DISABLE; | unknown-statement
          CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw; | unknown-statement
          CREATE USER MAPPING FOR CURRENT_USER SERVER s; | unknown-statement
          CREATE FOREIGN TABLE ft (id int) SERVER s; | unknown-statement
          SELECT pg_terminate_backend(pid) FROM pg_stat_activity; | unknown-statement
          SELECT pg_cancel_backend(1); | unknown-statement
          SELECT pg_reload_conf(); | unknown-statement
          SELECT pg_rotate_logfile(); | unknown-statement
          SELECT pg_advisory_unlock_all(); | prodguard-objects
          SELECT pg_advisory_unlock(42); | prodguard-objects
          SELECT lo_unlink(1); | unknown-statement
          SELECT lo_from_bytea(0, 'x'); | unknown-statement
          SELECT pg_stat_reset(); | unknown-statement
          SELECT pg_switch_wal(); | unknown-statement
          SELECT pg_create_logical_replication_slot('s', 'pgoutput'); | unknown-statement
          SELECT pg_drop_replication_slot('s'); | unknown-statement
          INSERT INTO audit SELECT pg_terminate_backend(1); | unknown-statement
          SELECT pg_catalog.pg_terminate_backend(1); | unknown-statement
          CREATE EXTENSION dblink; | unknown-statement
          CREATE EXTENSION IF NOT EXISTS plpython3u; | unknown-statement
          CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SELECT pg_terminate_backend(1) $$; SELECT f(); | unknown-statement
          DO $$ BEGIN PERFORM pg_reload_conf(); END $$; | unknown-statement
          DO $$ BEGIN PERFORM set_config(concat('session_', 'replication_role'), 'replica', true); END $$; | unknown-statement
          """)
  void postgresSideEffects(String sql, String rule) throws Exception {
    assertThat(blocking(DatabaseKind.POSTGRESQL, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: MariaDB side effect {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SET FOREIGN_KEY_CHECKS=0; | unknown-statement
          SET foreign_key_checks = OFF; | unknown-statement
          SET @@foreign_key_checks = 0; | unknown-statement
          SET SESSION foreign_key_checks = 0; | unknown-statement
          SET @@session.foreign_key_checks = 0; | unknown-statement
          SET STATEMENT foreign_key_checks=0 FOR DELETE FROM staging WHERE id = 1; | unknown-statement
          SET GLOBAL max_connections = 1; | unknown-statement
          SET @@global.read_only = 1; | unknown-statement
          SET PERSIST max_connections = 1; | unknown-statement
          SET PASSWORD = PASSWORD('x'); | unknown-statement
          DROP TRIGGER orders_audit; | protected-table-write
          DROP TRIGGER IF EXISTS app.orders_audit; | protected-table-write
          ALTER SCHEMA app CHARACTER SET latin1; | unknown-statement
          SET PASSWORD FOR app = PASSWORD('x'); | unknown-statement
          SET sql_log_bin = 0; | unknown-statement
          RESET MASTER; | unknown-statement
          RESET SLAVE; | unknown-statement
          RESET QUERY CACHE; | unknown-statement
          CREATE DATABASE other; | unknown-statement
          ALTER DATABASE app CHARACTER SET latin1; | unknown-statement
          CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (HOST 'x'); | unknown-statement
          """)
  void mariadbSideEffects(String sql, String rule) throws Exception {
    assertThat(blocking(DatabaseKind.MARIADB, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: PostgreSQL harmless {0} is not refused")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SELECT set_config('statement_timeout', '5s', true);
          SELECT txid_current();
          SELECT pg_current_xact_id();
          SET statement_timeout = '5s';
          SET lock_timeout = '1s';
          CREATE EXTENSION IF NOT EXISTS pgcrypto;
          SET search_path = app, public;
          SET search_path TO pg_catalog, app;
          SELECT set_config('search_path', 'app, public', true);
          """)
  void harmlessSettings(String sql) throws Exception {
    assertThat(blocking(DatabaseKind.POSTGRESQL, sql)).isEmpty();
  }

  @ParameterizedTest(name = "G4: MariaDB {0} stays refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SET STATEMENT max_statement_time=10 FOR DELETE FROM orders WHERE id = 1; | protected-table-write
          FLUSH PRIVILEGES; | unknown-statement
          CREATE USER evil IDENTIFIED BY 'x'; | grant
          ALTER USER app IDENTIFIED BY 'x'; | grant
          DROP USER app; | revoke
          GRANT ALL ON *.* TO app; | grant
          REVOKE ALL ON *.* FROM app; | revoke
          """)
  void mariadbStaysRefused(String sql, String rule) throws Exception {
    assertThat(blocking(DatabaseKind.MARIADB, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} stays refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SELECT set_config('session_replication_role', 'replica', false); | prodguard-objects
          SET LOCAL session_replication_role = replica; | prodguard-objects
          RESET session_replication_role; | prodguard-objects
          SELECT lo_import('/etc/passwd'); | unknown-statement
          SELECT pg_read_file('/etc/passwd'); | unknown-statement
          SELECT pg_ls_dir('.'); | unknown-statement
          """)
  void postgresStaysRefused(String sql, String rule) throws Exception {
    assertThat(blocking(DatabaseKind.POSTGRESQL, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: MariaDB {0} is not refused")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TRIGGER t BEFORE INSERT ON staging FOR EACH ROW SET NEW.id = 1; DROP TRIGGER t;
          SET foreign_key_checks = 1;
          """)
  void mariadbNoise(String sql) throws Exception {
    assertThat(blocking(DatabaseKind.MARIADB, sql)).isEmpty();
  }
}
