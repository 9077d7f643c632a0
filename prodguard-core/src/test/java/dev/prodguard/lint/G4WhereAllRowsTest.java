package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
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
 * G4's "a WHERE that holds for every row counts as none", with the NOT NULL facts the migrations
 * themselves declare (new user, conductor-oss/conductor: {@code DELETE FROM queue_message WHERE
 * queue_name IS NOT NULL} on a primary-key column passed lint and trace). V1 makes the tables
 * (queue_message's queue_name is part of its primary key, created_on NOT NULL, payload nullable;
 * later ALTERs set and drop NOT NULL); V2 is judged.
 */
@DisplayName("G4: a WHERE that holds for every row by the declared NOT NULL columns counts as none")
class G4WhereAllRowsTest {
  @TempDir Path dir;

  static final String PG_TABLES =
      """
      CREATE TABLE queue_message (
        id SERIAL,
        created_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
        queue_name VARCHAR(255) NOT NULL,
        message_id VARCHAR(255),
        payload TEXT CHECK (payload IS NOT NULL OR message_id IS NULL),
        PRIMARY KEY (queue_name, message_id)
      );
      CREATE TABLE IF NOT EXISTS workflow (workflow_id VARCHAR(255) PRIMARY KEY, json_data TEXT);
      CREATE TABLE task (task_id VARCHAR(255), ended_on TIMESTAMP, owner TEXT);
      ALTER TABLE task ALTER COLUMN owner SET NOT NULL;
      ALTER TABLE task ADD COLUMN region TEXT NOT NULL DEFAULT 'eu';
      ALTER TABLE task ADD COLUMN note TEXT;
      CREATE TABLE lease (holder TEXT NOT NULL, expires TIMESTAMP NOT NULL);
      ALTER TABLE lease ALTER COLUMN holder DROP NOT NULL;
      CREATE TABLE audit (logged_at TIMESTAMP, who TEXT);
      ALTER TABLE audit ADD CONSTRAINT audit_pk PRIMARY KEY (logged_at);
      """;

  static final String MARIADB_TABLES =
      """
      CREATE TABLE queue_message (
        id INT NOT NULL AUTO_INCREMENT,
        queue_name VARCHAR(255) NOT NULL,
        payload MEDIUMTEXT,
        PRIMARY KEY (id)
      );
      CREATE TABLE lease (holder VARCHAR(20) NOT NULL);
      ALTER TABLE lease MODIFY holder VARCHAR(40) NULL;
      """;

  List<String> rules(DatabaseKind kind, String sql) throws Exception {
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
        .lintFiles(List.of(v1, v2), c, true).findings().stream()
            .filter(f -> f.location().file().endsWith("V2__change.sql"))
            .map(Finding::rule)
            .distinct()
            .toList();
  }

  @Test
  @DisplayName(
      "G4: conductor's V21__cleanup.sql: the DELETE of every row is delete-without-where (an"
          + " error: forbidden by default) and the sequence moved back is sequence-restart")
  void conductorCleanup() throws Exception {
    List<String> rules =
        rules(
            DatabaseKind.POSTGRESQL,
            "DELETE FROM queue_message WHERE queue_name IS NOT NULL;\n"
                + "ALTER SEQUENCE task_execution_logs_log_id_seq RESTART WITH 1;\n");
    assertThat(rules).containsExactlyInAnyOrder("delete-without-where", "sequence-restart");
  }

  @Test
  @DisplayName(
      "G4: an exception of delete-without-where for a PostgreSQL migration whose WHERE lint cannot"
          + " judge (the table's NOT NULL columns are the target's) is left to trace, which may"
          + " report it; on MariaDB (no trace) it is still unused")
  void exceptionLeftToTrace() throws Exception {
    String sql = "DELETE FROM jobs WHERE done_at IS NOT NULL;\n";
    String contract =
        "version: 1\nexceptions:\n  - { migration: V2, rule: delete-without-where, reason: \"drained"
            + " on purpose\" }\n";
    for (DatabaseKind kind : List.of(DatabaseKind.POSTGRESQL, DatabaseKind.MARIADB)) {
      Path v2 = Files.writeString(dir.resolve("V2__change.sql"), sql, StandardCharsets.UTF_8);
      Contract c =
          ContractLoader.parse(
              dir.resolve("prodguard-contract.yml"), contract.getBytes(StandardCharsets.UTF_8));
      MigrationFiles read = MigrationFiles.read(List.of(v2));
      MigrationSource source =
          new MigrationSource(
              read.all().get(0),
              MigrationSource.Role.VERSIONED,
              MigrationId.parse("V2"),
              read.shown(read.all().get(0)));
      List<String> rules =
          new Linter(kind)
              .lint(List.of(source), List.of(), c, true, true).blocking().stream()
                  .map(Finding::rule)
                  .toList();
      if (kind == DatabaseKind.POSTGRESQL) {
        assertThat(rules).doesNotContain("contract-exception-unused");
      } else {
        assertThat(rules).contains("contract-exception-unused");
      }
    }
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} is {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM queue_message WHERE queue_name IS NOT NULL; | delete-without-where
          DELETE FROM queue_message WHERE message_id IS NOT NULL; | delete-without-where
          DELETE FROM public.queue_message WHERE created_on IS NOT NULL; | delete-without-where
          DELETE FROM queue_message q WHERE q.id IS NOT NULL; | delete-without-where
          DELETE FROM queue_message WHERE NOT (queue_name IS NULL); | delete-without-where
          DELETE FROM queue_message WHERE queue_name NOTNULL; | delete-without-where
          DELETE FROM queue_message WHERE queue_name IS NOT NULL OR payload = 'x'; | delete-without-where
          DELETE FROM queue_message WHERE NOT queue_name ISNULL AND created_on IS NOT NULL; | delete-without-where
          UPDATE queue_message SET payload = NULL WHERE created_on IS NOT NULL; | update-without-where
          DELETE FROM workflow WHERE workflow_id IS NOT NULL; | delete-without-where
          UPDATE task SET ended_on = now() WHERE owner IS NOT NULL; | update-without-where
          DELETE FROM task WHERE region IS NOT NULL; | delete-without-where
          DELETE FROM lease WHERE expires IS NOT NULL; | delete-without-where
          DELETE FROM audit WHERE logged_at IS NOT NULL; | delete-without-where
          DELETE FROM queue_message WHERE queue_name = queue_name; | delete-without-where
          """)
  void postgresAllRows(String sql, String rule) throws Exception {
    assertThat(rules(DatabaseKind.POSTGRESQL, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: PostgreSQL {0} limits its rows")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM queue_message WHERE payload IS NOT NULL;
          DELETE FROM queue_message WHERE queue_name IS NULL;
          DELETE FROM queue_message WHERE queue_name IS NOT NULL AND payload = 'x';
          DELETE FROM task WHERE note IS NOT NULL;
          DELETE FROM task WHERE ended_on IS NOT NULL;
          DELETE FROM lease WHERE holder IS NOT NULL;
          DELETE FROM workflow WHERE json_data IS NOT NULL;
          DELETE FROM unknown_table WHERE id IS NOT NULL;
          DELETE FROM queue_message USING workflow WHERE workflow.workflow_id IS NOT NULL AND queue_message.payload = workflow.json_data;
          """)
  void postgresRealCondition(String sql) throws Exception {
    assertThat(rules(DatabaseKind.POSTGRESQL, sql))
        .doesNotContain("delete-without-where", "update-without-where");
  }

  @ParameterizedTest(name = "G4: MariaDB {0} is {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM queue_message WHERE queue_name IS NOT NULL; | delete-without-where
          DELETE FROM queue_message WHERE id IS NOT NULL; | delete-without-where
          UPDATE queue_message SET payload = NULL WHERE NOT (queue_name IS NULL); | update-without-where
          """)
  void mariadbAllRows(String sql, String rule) throws Exception {
    assertThat(rules(DatabaseKind.MARIADB, sql)).contains(rule);
  }

  @ParameterizedTest(name = "G4: MariaDB {0} limits its rows")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          DELETE FROM queue_message WHERE payload IS NOT NULL;
          DELETE FROM lease WHERE holder IS NOT NULL;
          """)
  void mariadbRealCondition(String sql) throws Exception {
    assertThat(rules(DatabaseKind.MARIADB, sql))
        .doesNotContain("delete-without-where", "update-without-where");
  }
}
