package dev.prodguard.sql;

import static dev.prodguard.sql.G4ClassifierTest.mysql;
import static dev.prodguard.sql.G4ClassifierTest.pg;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Holes an attacker found in the analyser (G4, G10): each statement below passed {@code lint}
 * before, as an operation on the wrong object or none at all.
 */
@DisplayName("G4: what an attacker hid from the analyser is found")
class G4AnalyserHolesTest {

  @ParameterizedTest(name = "G4: a Flyway placeholder in a name: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM ${flyway:table} | delete ${flyway:table}
          DELETE FROM ${flyway:defaultSchema}.${flyway:table} WHERE true | delete ${flyway:defaultSchema}.${flyway:table}
          DELETE FROM ${flyway:defaultSchema}.orders | delete orders
          DROP TABLE ${victim} | unknown; drop-table ${victim}
          TRUNCATE orders_${suffix} | unknown; truncate orders_${suffix}
          UPDATE ${x}orders SET v = 1 | unknown; update ${x}orders [v]
          SELECT * FROM ${flyway:table} | select; reference ${flyway:table}
          """)
  void placeholders(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: PostgreSQL Unicode-escaped names are read decoded: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM U&"ord\\0065rs" | delete orders
          DELETE FROM u&"prodguard\\005faudit" WHERE id = 1 | delete prodguard_audit [HAS_WHERE]
          SELECT * FROM U&"prodguard\\005faudit" | select; reference prodguard_audit
          DELETE FROM U&"ord!0065rs" UESCAPE '!' | unknown
          """)
  void unicodeNames(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G10: MariaDB folds case and accents of routine names: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DROP PROCEDURE PRÖDGUARD_ASSERT | drop-function prödguard_assert
          """)
  void accentFolding(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
    assertThat(ProdguardObjects.reserved("PRÖDGUARD_ASSERT")).isTrue();
    assertThat(ProdguardObjects.reserved("Flyway_Schéma_History")).isTrue();
  }

  @ParameterizedTest(name = "G4: MariaDB statements read whole: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE OR REPLACE TABLE orders (id int) | drop-table orders; create-table orders
          CREATE OR REPLACE TEMPORARY TABLE scratch (id int) | create-table scratch [TEMPORARY]
          LOAD DATA LOCAL INFILE '/tmp/x.csv' REPLACE INTO TABLE orders | copy-in orders; unknown
          ALTER TABLE orders NOWAIT DROP COLUMN v | drop-column orders.v
          ALTER TABLE orders WAIT 5 DROP COLUMN v, ADD COLUMN w int | drop-column orders.v; add-column orders.w
          RENAME TABLE orders WAIT 1 TO old_orders | rename-table orders
          ALTER TABLE p EXCHANGE PARTITION p0 WITH TABLE orders | truncate p; truncate orders
          CREATE PROCEDURE p() BEGIN DECLARE EXIT HANDLER FOR SQLEXCEPTION ROLLBACK; DELETE FROM t WHERE id = 1; END; CALL p() | create-function p; transaction [IN_BODY, DEFERRED]; delete t [HAS_WHERE, IN_BODY, DEFERRED]; call p; transaction [IN_BODY]; delete t [HAS_WHERE, IN_BODY]
          CREATE PROCEDURE p() BEGIN DECLARE CONTINUE HANDLER FOR SQLSTATE '23000', NOT FOUND COMMIT; END | create-function p; transaction [IN_BODY, DEFERRED]
          INSERT INTO t VALUES (1); CREATE TABLE u (id int) | insert t; create-table u; transaction [COMMITS_ROW_CHANGES]
          CREATE TABLE u (id int); ALTER TABLE u ADD COLUMN v int | create-table u; add-column u.v; transaction [IMPLICIT_COMMIT]
          CREATE TABLE u (id int); INSERT INTO u VALUES (1); CREATE TEMPORARY TABLE s (id int) | create-table u; insert u; create-table s [TEMPORARY]
          """)
  void mariadb(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: PostgreSQL relation moves, partitions, policies, cascades: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ALTER INDEX orders RENAME TO old_orders | alter-table-other orders
          ALTER INDEX IF EXISTS orders SET SCHEMA archive | alter-table-other orders
          ALTER INDEX orders_v SET (fillfactor = 70) | alter-other orders_v
          CREATE TABLE orders (id int); ALTER INDEX orders RENAME TO old_orders | create-table orders; rename-table orders
          CREATE TABLE app.orders (id int); ALTER INDEX IF EXISTS orders RENAME TO o | create-table app.orders; rename-table orders
          CREATE TABLE orders (id int); ALTER TABLE orders RENAME TO o; ALTER INDEX o RENAME TO p | create-table orders; rename-table orders; rename-table o
          CREATE TABLE orders (id int); DROP TABLE orders; ALTER INDEX orders RENAME TO o | create-table orders; drop-table orders; alter-table-other orders
          CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ CREATE TABLE orders (id int) $$; ALTER INDEX orders RENAME TO o | create-function f; create-table orders [IN_BODY, DEFERRED]; rename-table orders
          ALTER VIEW orders RENAME COLUMN id TO k | rename-column orders.id
          ALTER VIEW IF EXISTS orders RENAME id TO k | rename-column orders.id
          ALTER MATERIALIZED VIEW IF EXISTS app.orders RENAME COLUMN id TO k | rename-column app.orders.id
          ALTER MATERIALIZED VIEW orders RENAME TO o | alter-other orders
          ALTER VIEW orders RENAME TO o | alter-other orders
          ALTER TABLE orders SET SCHEMA archive | rename-table orders
          ALTER TABLE p ATTACH PARTITION orders FOR VALUES FROM (1) TO (10) | alter-table-other p; alter-table-other orders
          ALTER TABLE p DETACH PARTITION orders | alter-table-other p; alter-table-other orders
          ALTER TABLE child INHERIT orders | alter-table-other child; alter-table-other orders
          CREATE TABLE extra PARTITION OF orders FOR VALUES IN (7) | create-table extra; alter-table-other orders
          CREATE TABLE extra (n int) INHERITS (orders, app.users) | create-table extra; alter-table-other orders; alter-table-other app.users
          CREATE POLICY hide ON orders USING (false) | alter-table-other orders
          DROP POLICY IF EXISTS hide ON orders | alter-table-other orders
          DROP TYPE kind CASCADE | drop-other kind [CASCADE]
          DROP FUNCTION f(int) CASCADE | drop-function f [CASCADE]
          DROP INDEX orders_key CASCADE | drop-index [CASCADE]
          ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE | drop-constraint users [CASCADE]
          """)
  void postgres(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: PL/pgSQL that is not unknown: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DO $$ DECLARE a int; b text; c CONSTANT int := 1; BEGIN UPDATE t SET x = a WHERE id = c; END $$ | do-block; update t [x] [HAS_WHERE, IN_BODY]
          CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched = now(); x = 1; RETURN NEW; END $$ | create-function touch
          DO $$ DECLARE a int; BEGIN DELETE FROM t; END $$ | do-block; delete t [IN_BODY]
          DO $$ DECLARE a int := wipe(); BEGIN NULL; END $$ | do-block; function-call wipe [IN_BODY, OPAQUE]
          """)
  void plpgsql(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: a write through a view is a write of its base tables: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE VIEW v AS SELECT * FROM orders; DELETE FROM v | create-view v; delete v; delete orders
          CREATE VIEW v (a) AS SELECT o.id FROM app.orders o JOIN users u ON o.uid = u.id WHERE true; UPDATE v SET a = 1 WHERE a = 2 | create-view v; update v [a] [HAS_WHERE]; update app.orders [HAS_WHERE]; update users [HAS_WHERE]
          CREATE VIEW v1 AS SELECT * FROM orders; CREATE OR REPLACE VIEW v2 AS SELECT * FROM v1; INSERT INTO v2 VALUES (1) | create-view v1; create-view v2; insert v2; insert v1; insert orders
          CREATE VIEW v AS SELECT * FROM (orders JOIN x USING (id)); TRUNCATE v | create-view v; truncate v; truncate orders; truncate x
          CREATE VIEW v AS SELECT * FROM f(); DELETE FROM v WHERE id = 1 | create-view v; delete v [HAS_WHERE]; unknown
          CREATE VIEW v AS SELECT * FROM orders; DROP VIEW v; DELETE FROM v | create-view v; drop-view v; delete v
          CREATE VIEW v AS SELECT * FROM orders; ALTER VIEW v RENAME TO w; DELETE FROM w | create-view v; alter-other v; delete w; delete orders
          CREATE VIEW v AS SELECT * FROM orders; WITH d AS (DELETE FROM v RETURNING *) SELECT 1 | create-view v; delete v; delete orders; select
          """)
  void views(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: a write through a view is a write of its base tables (MySQL): {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE ALGORITHM = MERGE VIEW v AS SELECT * FROM orders, users WHERE orders.uid = users.id; DELETE FROM v | create-view v; delete v; delete orders; delete users
          CREATE VIEW v AS SELECT * FROM t1 STRAIGHT_JOIN orders; RENAME TABLE v TO w; UPDATE w SET x = 1 | create-view v; rename-table v; transaction [IMPLICIT_COMMIT]; update w [x]; update t1; update orders
          """)
  void viewsMysql(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: a WHERE that reads no column of the target is no WHERE: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM orders WHERE now() > '2000-01-01' | delete orders
          DELETE FROM orders WHERE (SELECT true) | delete orders
          DELETE FROM orders WHERE EXISTS (SELECT 1) | delete orders
          DELETE FROM orders WHERE EXISTS (SELECT 1 FROM old WHERE old.id = id) | delete orders
          DELETE FROM orders WHERE coalesce(null, true) | delete orders
          DELETE FROM orders WHERE id IS NOT NULL OR true | delete orders
          DELETE FROM orders WHERE id > 0 OR now() > '2000-01-01' | delete orders
          DELETE FROM orders WHERE 'a' = 'b' OR status = 'x' | delete orders
          DELETE FROM orders WHERE random() < 0.5 | delete orders
          DELETE FROM orders WHERE $1 = $1 | delete orders
          DELETE FROM orders WHERE DATE '2020-01-01' < current_date | delete orders
          DELETE FROM orders WHERE 'x'::text = 'x' | delete orders
          DELETE FROM orders USING old WHERE old.flag | delete orders
          DELETE FROM orders USING old WHERE flag | delete orders
          UPDATE orders SET v = 1 FROM old WHERE old.id = 7 | update orders [v]
          MERGE INTO orders o USING s ON s.x = 1 WHEN MATCHED THEN DELETE | delete orders
          DELETE FROM orders WHERE lower(name) = 'x' | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE now() > created_at | delete orders [HAS_WHERE]
          DELETE FROM orders o WHERE EXISTS (SELECT 1 FROM old WHERE old.id = o.id) | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE EXISTS (SELECT 1 FROM old WHERE old.id = orders.id) | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE id > 0 AND now() > '2000-01-01' | delete orders [HAS_WHERE]
          DELETE FROM orders USING old WHERE orders.id = old.id AND old.closed | delete orders [HAS_WHERE]
          DELETE FROM orders USING old WHERE orders.id = old.id | delete orders
          DELETE FROM orders WHERE status::text = 'x' | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE false | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE CURRENT OF c | delete orders [HAS_WHERE]
          """)
  void whereReadsTheTarget(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(
      name = "G4: a WHERE that reads no column of the target is no WHERE (MySQL): {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM orders WHERE {fn abs(1)} = 1 | delete orders
          DELETE FROM orders WHERE {d '2020-01-01'} < NOW() | delete orders
          DELETE FROM orders WHERE @cutoff < NOW() | delete orders
          UPDATE orders SET v = {fn now()} WHERE id = {fn abs(-1)} | update orders [v] [HAS_WHERE]
          """)
  void whereReadsTheTargetMysql(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
  }

  // Each target judged on its own, as PostgreSQL's UPDATE ... FROM (JoinRestriction): a cross
  // join's restriction of another table limits nothing (every row or none), a join condition alone
  // limits nothing, a restriction of a table a join condition ties the target to does.
  @ParameterizedTest(name = "G4: every target of a MariaDB multi-table DELETE or UPDATE: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE o, u FROM orders o JOIN users u ON o.uid = u.id WHERE o.id = 1 | delete orders [HAS_WHERE]; delete users [HAS_WHERE]
          DELETE o FROM orders AS o JOIN staging s ON s.id = o.id | delete orders
          DELETE s.* FROM staging s JOIN orders o ON s.id = o.id WHERE s.id > 5 | delete staging [HAS_WHERE]
          DELETE FROM o, u USING orders o JOIN users u ON o.uid = u.id | delete orders; delete users
          DELETE FROM orders, users USING orders, users WHERE users.flag = 1 | delete orders; delete users [HAS_WHERE]
          DELETE x FROM (SELECT 1) AS x | unknown; delete x
          UPDATE orders o JOIN users u ON o.uid = u.id SET o.v = 1, u.n = 2 WHERE u.id = 3 | update orders [v] [HAS_WHERE]; update users [n] [HAS_WHERE]
          UPDATE staging s JOIN orders o ON s.id = o.id SET s.v = o.v WHERE s.id = 1 | update staging [v] [HAS_WHERE]
          UPDATE staging, orders SET v = 1 WHERE staging.id = orders.id | update staging [v]; update orders [v]
          UPDATE orders o JOIN users u ON o.uid = u.id SET o.v = 1 WHERE u.flag = 1 | update orders [v] [HAS_WHERE]
          UPDATE orders o, users u SET o.v = 1 WHERE u.flag = 1 | update orders [v]
          """)
  void multiTable(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(
      name = "G4: a function acting beyond the database is unknown in any expression: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TABLE t (a int DEFAULT lo_export(1, '/tmp/x'))
          CREATE TABLE t (a oid DEFAULT lo_from_bytea(424242, convert_to('x', 'UTF8')))
          CREATE TABLE t (a text DEFAULT dblink_exec('dbname=prod', 'DELETE FROM orders'))
          CREATE TABLE t (a text DEFAULT ext.dblink_exec('dbname=prod', 'DELETE FROM orders'))
          CREATE TABLE t (a text DEFAULT dblink('dbname=prod', 'SELECT 1'))
          CREATE TABLE t (a int CHECK (lo_export(1, '/tmp/x') > 0))
          CREATE TABLE t (a int, b int GENERATED ALWAYS AS (lo_export(a, '/tmp/x')) STORED)
          CREATE TABLE t (a int DEFAULT pg_catalog.pg_read_binary_file('/etc/passwd')::int)
          CREATE TABLE t (a text DEFAULT pg_stat_file('/etc/passwd')::text)
          CREATE TABLE t (a int DEFAULT lo_export(1, '/tmp/x')) PARTITION BY RANGE (a)
          CREATE INDEX i ON t ((lo_export(a, '/tmp/x')))
          CREATE VIEW v AS SELECT lo_export(1, '/tmp/x')
          CREATE VIEW v AS SELECT * FROM dblink('dbname=prod', 'DELETE FROM orders') AS r(x text)
          ALTER TABLE t ALTER COLUMN a SET DEFAULT pg_read_file('/etc/passwd')::int
          ALTER TABLE t ADD COLUMN z text DEFAULT dblink_exec('dbname=x', 'DELETE FROM orders')
          ALTER TABLE t ADD CONSTRAINT c CHECK (pg_file_write('/tmp/x', 'y', false) > 0)
          CREATE DOMAIN d AS int CHECK (lo_export(VALUE, '/tmp/x') > 0)
          CREATE POLICY p ON t USING (lo_export(1, '/tmp/x') > 0)
          CREATE TABLESPACE ts LOCATION '/tmp/ts'
          ALTER TABLESPACE ts RENAME TO ts2
          ALTER TABLESPACE ts SET (random_page_cost = 1)
          """)
  void beyondTheDatabase(String sql) {
    assertThat(pg(sql)).contains("unknown");
  }

  /**
   * Statements are tokenized for these calls only when their text can name one ({@code
   * Classifier.mayNameBeyondTheDatabase}): every way of writing the name still reaches the full
   * look.
   */
  @ParameterizedTest(
      name = "G4: a function acting beyond the database is found however it is written: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TABLE t (a text DEFAULT DBLINK_EXEC('dbname=prod', 'DELETE FROM orders'))
          CREATE TABLE t (a text DEFAULT DbLink('dbname=prod', 'SELECT 1'))
          CREATE TABLE t (a text DEFAULT "dblink_exec"('dbname=prod', 'DELETE FROM orders'))
          CREATE TABLE t (a text DEFAULT ext."dblink"('dbname=prod', 'SELECT 1'))
          CREATE TABLE t (a text DEFAULT U&"\\0064blink_exec"('dbname=prod', 'DELETE FROM x'))
          CREATE TABLE t (a text DEFAULT u&"db\\006Cink"('dbname=prod', 'SELECT 1'))
          CREATE TABLE t (a int DEFAULT PG_READ_FILE('/etc/passwd')::int)
          CREATE TABLE t (a int DEFAULT Pg_Ls_Dir('/etc')::int)
          CREATE TABLE t (a int DEFAULT LO_IMPORT('/etc/passwd'))
          CREATE TABLE t (a bytea DEFAULT LOREAD(0, 1))
          CREATE TABLE t (a int DEFAULT LoWrite(0, 'x'))
          CREATE TABLE t (a int DEFAULT POSTGRES_FDW_DISCONNECT_ALL()::int)
          CREATE TABLE t (a int DEFAULT pg_create_physical_replication_slot('s') IS NULL)
          CREATE TABLE t (a int DEFAULT pg_catalog . pg_terminate_backend(1)::int)
          CREATE TABLE t (a int /* déjà */ DEFAULT lo_export(1, '/tmp/x'))
          CREATE TABLE "té" (a int DEFAULT lo_export(1, '/tmp/x'))
          """)
  void beyondTheDatabaseAnySpelling(String sql) {
    assertThat(pg(sql)).contains("unknown");
  }

  @ParameterizedTest(
      name = "G4: a volatile built-in not known to be free of effects is unknown: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SELECT pg_replication_origin_advance('sub', 'FF/0')
          SELECT pg_replication_origin_drop('sub')
          SELECT pg_replication_origin_create('sub')
          SELECT pg_replication_origin_session_setup('sub')
          SELECT pg_replication_origin_session_reset()
          SELECT pg_replication_origin_xact_setup('0/1', now())
          SELECT count(*) FROM pg_logical_slot_get_changes('cdc', NULL, NULL)
          SELECT * FROM PG_LOGICAL_SLOT_GET_BINARY_CHANGES('cdc', NULL, NULL)
          SELECT pg_logical_emit_message(true, 'p', 'x')
          SELECT pg_create_restore_point('r')
          SELECT binary_upgrade_set_next_pg_type_oid(1)
          UPDATE t SET a = 1 WHERE pg_replication_origin_advance('sub', 'FF/0') IS NULL
          """)
  void volatileBuiltInsWithEffects(String sql) {
    assertThat(pg(sql)).contains("unknown");
  }

  @ParameterizedTest(name = "G4: volatile built-ins with no effect beyond their value pass: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TABLE t (id uuid DEFAULT gen_random_uuid(), at timestamptz DEFAULT clock_timestamp())
          SELECT pg_sleep(0.1)
          SELECT pg_total_relation_size('orders')
          SELECT * FROM pg_logical_slot_peek_changes('cdc', NULL, NULL)
          """)
  void volatileBuiltInsWithoutEffects(String sql) {
    assertThat(pg(sql)).doesNotContain("unknown");
  }

  @org.junit.jupiter.api.Test
  @DisplayName("G4: the pre-check lets through every volatile built-in judged to act beyond")
  void preCheckCoversTheVolatileList() {
    assertThat(SqlNames.POSTGRESQL_VOLATILE).hasSizeGreaterThan(200);
    for (String fn : SqlNames.POSTGRESQL_VOLATILE) {
      if (Classifier.volatileWithEffects(fn)) {
        String sql = "SELECT " + fn + "()";
        assertThat(Classifier.mayNameBeyondTheDatabase(sql, 0, sql.length())).as(fn).isTrue();
      }
    }
  }

  @ParameterizedTest(name = "G4: the pre-check lets through every text that can name one: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SELECT PG_READ_FILE('x')|true
          SELECT "lo_import"('x')|true
          SELECT U&"\\0070g"('x')|true
          SELECT café('x')|true
          SELECT LoRead(1, 2)|true
          SELECT lowrite(1, 'x')|true
          SELECT postgres_fdw_get_connections()|true
          SELECT dblinkx()|true
          SELECT lower(name), length(x) FROM pages WHERE deleted AND d = 'lo'|false
          CREATE TABLE logs (id bigint PRIMARY KEY, loaded boolean DEFAULT false)|false
          """)
  void beyondTheDatabasePreCheck(String sql, boolean may) {
    assertThat(Classifier.mayNameBeyondTheDatabase(sql, 0, sql.length())).isEqualTo(may);
  }
}
