package dev.prodguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("G4: statements become operations with their targets")
class G4ClassifierTest {

  static List<String> ops(SqlSyntax syntax, String sql) {
    SourceFile f = new SourceFile("V1__t.sql", sql);
    Classifier c = new Classifier(syntax);
    return new Splitter(syntax)
        .split(f).stream().flatMap(s -> c.classify(s).stream()).map(Operation::toString).toList();
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
          INSERT INTO ${schema}.seed (id, name) VALUES (1, 'a') | insert ${schema}.seed [id, name]
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
          CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $f$ DECLARE n int := 1; BEGIN FOR r IN SELECT 1 LOOP UPDATE b SET x = 1; END LOOP; END $f$ | create-function f; update b [x] [IN_BODY]
          CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM a WHERE id = 1; END | create-function p; delete a [HAS_WHERE, IN_BODY]
          PREPARE q AS DELETE FROM a | delete a
          COPY a (x) FROM stdin | copy-in a
          MERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN DELETE | merge a
          UPSERT INTO a (x) VALUES (1) | insert a
          SET search_path TO app | set-session
          CALL refresh_all() | call refresh_all
          """)
  void postgres(String sql, String expected) {
    assertThat(String.join("; ", ops(SqlSyntax.POSTGRESQL, sql))).isEqualTo(expected.strip());
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
          REPLACE INTO t (a) VALUES (1) | insert t [a]
          /*!40101 SET NAMES utf8 */ | set-session
          LOAD DATA INFILE 'x' INTO TABLE t | copy-in t
          CREATE DEFINER = `root`@`%` PROCEDURE p() BEGIN UPDATE a SET x = 1; END | create-function p; update a [x] [IN_BODY]
          CREATE TRIGGER tr BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1 | create-trigger a; set-session [IN_BODY]
          BEGIN NOT ATOMIC DELETE FROM a; END | do-block; delete a [IN_BODY]
          """)
  void mysql(String sql, String expected) {
    assertThat(String.join("; ", ops(SqlSyntax.MYSQL, sql))).isEqualTo(expected.strip());
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
        .containsExactly("create-function wipe", "delete orders [IN_BODY]");
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
