package dev.prodguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * G4: an ALTER TABLE clause is read with the meaning of the server that runs it. MariaDB's {@code
 * RENAME x} renames the table where PostgreSQL's {@code RENAME x TO y} renames a column; {@code
 * DROP INDEX} drops an index on MariaDB and a column named {@code index} on PostgreSQL; MariaDB's
 * {@code MODIFY}/{@code CHANGE} are judged by what they change against the definition the
 * migrations gave the column before.
 */
@DisplayName("G4: ALTER TABLE clauses mean what the target server makes of them")
class G4AlterTableDialectTest {

  /** Every operation with its detail, the statements in order (definitions carry over). */
  static String ops(SqlSyntax syntax, String sql) {
    Classifier c = new Classifier(syntax);
    Routines routines = new Routines();
    return String.join(
        "; ",
        new Splitter(syntax)
            .split(new SourceFile("V1__t.sql", sql)).stream()
                .flatMap(st -> c.classify(st, routines).stream())
                .map(op -> op + (op.detail() == null ? "" : " (" + op.detail() + ")"))
                .toList());
  }

  static String mysql(String sql) {
    return ops(SqlSyntax.MYSQL, sql);
  }

  static String pg(String sql) {
    return ops(SqlSyntax.POSTGRESQL, sql);
  }

  @ParameterizedTest(name = "G4: MariaDB {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ALTER TABLE client RENAME client_v2 | rename-table client (to client_v2)
          ALTER TABLE client RENAME TO client_v2 | rename-table client (to client_v2)
          ALTER TABLE client RENAME AS client_v2 | rename-table client (to client_v2)
          ALTER TABLE client RENAME COLUMN a TO b | rename-column client.a (to b)
          ALTER TABLE client RENAME INDEX i TO j | alter-table-other client (RENAME INDEX)
          ALTER TABLE client RENAME KEY i TO j | alter-table-other client (RENAME KEY)
          ALTER TABLE client DROP INDEX i | drop-index client
          ALTER TABLE client DROP KEY i | drop-index client
          ALTER TABLE client DROP PRIMARY KEY | drop-constraint client
          ALTER TABLE client DROP FOREIGN KEY fk | drop-constraint client
          ALTER TABLE client DROP PARTITION p1 | drop-table client (DROP PARTITION)
          ALTER TABLE client TRUNCATE PARTITION p1 | truncate client (TRUNCATE PARTITION)
          ALTER TABLE client DISCARD TABLESPACE | truncate client (DISCARD TABLESPACE deletes the rows)
          ALTER TABLE client ALTER COLUMN c SET DEFAULT 1 | alter-column-default client.c
          ALTER TABLE client CONVERT TO CHARACTER SET utf8mb4 | alter-column-type client (CONVERT TO CHARACTER SET changes the type of every text column and copies the table)
          ALTER TABLE client ADD COLUMN x int, ALGORITHM=COPY | add-column client.x; alter-table-other client [REWRITE] (ALGORITHM=COPY copies the table row by row, blocking writes)
          ALTER TABLE client ADD COLUMN x int, ALGORITHM=INSTANT, LOCK=NONE | add-column client.x; alter-table-other client (ALGORITHM=INSTANT); alter-table-other client (LOCK=NONE)
          ALTER TABLE client ADD COLUMN x int, LOCK=EXCLUSIVE | add-column client.x; alter-table-other client [REWRITE] (LOCK=EXCLUSIVE blocks reads and writes for the whole ALTER)
          ALTER TABLE client ENGINE=InnoDB | alter-table-other client [REWRITE] (ENGINE=INNODB copies the table row by row, blocking writes)
          ALTER TABLE client FORCE | alter-table-other client [REWRITE] (FORCE rebuilds the table)
          ALTER TABLE client MODIFY COLUMN state ENUM('a','b','c') | alter-column-type client.state (MODIFY redefines the column (its previous definition is not known here))
          ALTER TABLE client CHANGE state status ENUM('a') | rename-column client.state (to status); alter-column-type client.state (CHANGE redefines the column (its previous definition is not known here))
          """)
  void mariadb(String sql, String expected) {
    assertThat(mysql(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ALTER TABLE client RENAME a TO b | rename-column client.a (to b)
          ALTER TABLE client RENAME TO client_v2 | rename-table client (to client_v2)
          ALTER TABLE client RENAME key TO k2 | rename-column client.key (to k2)
          ALTER TABLE client RENAME index TO i2 | rename-column client.index (to i2)
          ALTER TABLE client DROP key | drop-column client.key
          ALTER TABLE client DROP index | drop-column client.index
          ALTER TABLE client DROP partition | drop-table client (DROP PARTITION)
          ALTER TABLE client DROP CONSTRAINT c | drop-constraint client
          ALTER TABLE client SET UNLOGGED | alter-table-other client [REWRITE] (SET UNLOGGED rewrites the table under an ACCESS EXCLUSIVE lock)
          ALTER TABLE client SET TABLESPACE fast | alter-table-other client [REWRITE] (SET TABLESPACE rewrites the table under an ACCESS EXCLUSIVE lock)
          """)
  void postgres(String sql, String expected) {
    assertThat(pg(sql)).isEqualTo(expected.strip());
  }

  @Test
  @DisplayName(
      "G4: MariaDB MODIFY that only appends ENUM values to a known definition changes no type")
  void enumAppendAfterKnownDefinition() {
    assertThat(
            mysql(
                "CREATE TABLE job (id int, state ENUM('new','run') NOT NULL DEFAULT 'new');\n"
                    + "ALTER TABLE job MODIFY COLUMN state ENUM('new','run','done') NOT NULL"
                    + " DEFAULT 'new';\n"))
        .doesNotContain("alter-column-type");
    String created =
        "CREATE TABLE job (id int PRIMARY KEY, state ENUM('new','run') NOT NULL DEFAULT 'new');\n";
    assertThat(
            mysql(
                created
                    + "ALTER TABLE job MODIFY COLUMN state ENUM('new','run','done') NOT NULL"
                    + " DEFAULT 'new';\n"))
        .contains(
            "alter-table-other job.state (MODIFY only appends ENUM/SET values (no copy, no stored"
                + " value changes))");
    // and again, against the definition the first MODIFY recorded
    assertThat(
            mysql(
                created
                    + "ALTER TABLE job MODIFY state ENUM('new','run','done') NOT NULL DEFAULT"
                    + " 'new';\n"
                    + "ALTER TABLE job MODIFY state ENUM('new','run','done','gone') NOT NULL"
                    + " DEFAULT 'new';\n"))
        .contains(
            "alter-table-other job.state (MODIFY only appends ENUM/SET values (no copy, no stored"
                + " value changes))");
  }

  @ParameterizedTest(name = "G4: MariaDB MODIFY {0} is a type change")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ENUM('run','new','done') NOT NULL DEFAULT 'new'
          ENUM('new','done','run') NOT NULL DEFAULT 'new'
          ENUM('new') NOT NULL DEFAULT 'new'
          ENUM('new','run','done') NULL DEFAULT 'new'
          ENUM('new','run','done') NOT NULL DEFAULT 'run'
          VARCHAR(10) NOT NULL DEFAULT 'new'
          SET('new','run','done') NOT NULL DEFAULT 'new'
          """)
  void enumChangesThatAreTypeChanges(String definition) {
    String sql =
        "CREATE TABLE job (id int, state ENUM('new','run') NOT NULL DEFAULT 'new');\n"
            + "ALTER TABLE job MODIFY state "
            + definition
            + ";\n";
    assertThat(mysql(sql)).contains("alter-column-type job.state (MODIFY redefines the column)");
  }

  @Test
  @DisplayName("G4: a definition prodguard cannot follow is unknown, so MODIFY stays a type change")
  void unknownDefinitionsStayConservative() {
    String created = "CREATE TABLE job (id int, state ENUM('new','run'));\n";
    String append = "ALTER TABLE job MODIFY state ENUM('new','run','done');\n";
    String unknown = "(its previous definition is not known here)";
    // changed inside a procedure (runs when called, if ever)
    assertThat(
            mysql(
                created
                    + "CREATE PROCEDURE p() BEGIN ALTER TABLE job MODIFY state ENUM('x'); END;\n"
                    + append))
        .contains(unknown + ")");
    // the table was renamed away and another took its name
    assertThat(mysql(created + "RENAME TABLE job TO job_old;\n" + append)).contains(unknown);
    // CREATE TABLE IF NOT EXISTS may have kept an older table
    assertThat(
            mysql("CREATE TABLE IF NOT EXISTS job (id int, state ENUM('new','run'));\n" + append))
        .contains(unknown + ")");
    // another spelling of the table may be another schema's table
    assertThat(mysql(created + "ALTER TABLE other.job MODIFY state ENUM('new','run','done');\n"))
        .contains(unknown + ")");
    // the column's default changed since
    assertThat(mysql(created + "ALTER TABLE job ALTER COLUMN state SET DEFAULT 'run';\n" + append))
        .contains(unknown + ")");
  }

  @ParameterizedTest(name = "G4: MariaDB {1} after the definition became known by {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TABLE | CREATE TABLE job (id BIGINT PRIMARY KEY, state ENUM('a','b') NOT NULL)
          ADD COLUMN | CREATE TABLE job (id BIGINT PRIMARY KEY); ALTER TABLE job ADD COLUMN state ENUM('a','b') NOT NULL
          ADD without COLUMN | CREATE TABLE job (id BIGINT PRIMARY KEY); ALTER TABLE job ADD state ENUM('a','b') NOT NULL
          an earlier MODIFY | CREATE TABLE job (id BIGINT PRIMARY KEY, state VARCHAR(5)); ALTER TABLE job MODIFY state ENUM('a','b') NOT NULL
          an earlier CHANGE | CREATE TABLE job (id BIGINT PRIMARY KEY, st VARCHAR(5)); ALTER TABLE job CHANGE st state ENUM('a','b') NOT NULL
          RENAME COLUMN | CREATE TABLE job (id BIGINT PRIMARY KEY, st ENUM('a','b') NOT NULL); ALTER TABLE job RENAME COLUMN st TO state
          RENAME TABLE | CREATE TABLE job0 (id BIGINT PRIMARY KEY, state ENUM('a','b') NOT NULL); RENAME TABLE job0 TO job
          ALTER TABLE RENAME | CREATE TABLE job0 (id BIGINT PRIMARY KEY, state ENUM('a','b') NOT NULL); ALTER TABLE job0 RENAME TO job
          """)
  void sameDefinitionIsNoTypeChangeHoweverItWasKnown(String how, String known) {
    String[] clauses = {
      "CHANGE state status ENUM('a','b') NOT NULL",
      "CHANGE COLUMN state state ENUM('a','b') NOT NULL",
      "MODIFY state ENUM('a','b') NOT NULL",
      "MODIFY COLUMN state ENUM('a','b','c') NOT NULL"
    };
    String before = mysql(known + ";\n"); // the setup's own operations, judged elsewhere
    for (String clause : clauses) {
      String result =
          mysql(known + ";\nALTER TABLE job " + clause + ";\n").substring(before.length());
      assertThat(result)
          .as("%s after %s", clause, how)
          .doesNotContain("alter-column-type")
          .containsPattern("alter-table-other job\\.state \\((MODIFY|CHANGE) (keeps|only appends)");
    }
  }
}
