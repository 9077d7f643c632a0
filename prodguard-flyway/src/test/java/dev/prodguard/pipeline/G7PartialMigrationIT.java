package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item B: a MariaDB migration that fails half-way keeps what ran before the failure (DDL
 * commits itself there). The deploy's failure names, by file:line and statement head, what stayed
 * applied, the statement that failed and what never ran, with the way forward; on PostgreSQL a
 * transactional migration is rolled back and the failure keeps saying so.
 */
@DisplayName("G7: a migration that failed half-way says which statements stayed")
class G7PartialMigrationIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G7: MariaDB: CREATE a, CREATE b, a failing CREATE, CREATE c: a and b are named as applied"
          + " and committed, the third as failed, c as not run")
  void mariadbNamesWhatStayed() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__partial.sql",
          "CREATE TABLE part_a (id int);\n"
              + "CREATE TABLE part_b (id int);\n"
              + "CREATE TABLE part_x (id int, FOREIGN KEY (id) REFERENCES part_missing (id));\n"
              + "CREATE TABLE part_c (id int);\n");
      Throwable t = catchThrowable(() -> f.pipeline().promote("prod"));
      assertThat(t).isInstanceOf(DeployFailure.class);
      String m = t.getMessage();
      assertThat(m).contains("applied and committed, not rolled back:");
      String stayed = m.substring(m.indexOf("applied and committed, not rolled back:"));
      assertThat(stayed)
          .contains(
              "V2__partial.sql:1  CREATE TABLE part_a",
              "V2__partial.sql:2  CREATE TABLE part_b",
              "failed: ",
              "V2__partial.sql:3  CREATE TABLE part_x",
              "not run:",
              "V2__partial.sql:4  CREATE TABLE part_c",
              "Flyway recorded V2__partial.sql as failed in flyway_schema_history",
              "restore the backup",
              "prodguard repair");
      assertThat(stayed.substring(0, stayed.indexOf("failed: ")))
          .doesNotContain("part_c")
          .doesNotContain("part_x");
      assertThat(stayed.substring(stayed.indexOf("not run:"), stayed.indexOf("Flyway recorded")))
          .contains("part_c")
          .doesNotContain("part_a");
      assertThat(m).doesNotContain("No restore is needed");
      // what the message says is what the server kept
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                      + " AND table_name IN ('part_a', 'part_b')"))
          .contains("2");
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                      + " AND table_name = 'part_c'"))
          .contains("0");
    }
  }

  @Test
  @DisplayName(
      "G7: PostgreSQL: the same migration runs in one transaction and is rolled back: nothing is"
          + " named as staying")
  void postgresqlSaysNothingStays() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__partial.sql",
          "CREATE TABLE part_a (id int);\n"
              + "CREATE TABLE part_b (id int);\n"
              + "INSERT INTO items (id) VALUES (1);\n"
              + "CREATE TABLE part_c (id int);\n");
      Throwable t = catchThrowable(() -> f.pipeline().promote("prod"));
      assertThat(t).isInstanceOf(DeployFailure.class);
      assertThat(t.getMessage())
          .contains("No restore is needed", "rolled back")
          .doesNotContain("applied and committed")
          .doesNotContain("failed half-way");
      assertThat(
              f.query(
                  "SELECT count(*)::text FROM information_schema.tables WHERE table_name IN"
                      + " ('part_a', 'part_b')"))
          .contains("0");
    }
  }
}
