package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Newuser 19, items 6, 7, 16: verify's refusal of a history that does not match the files echoed
 * Flyway's "run repair" (which the history guard refuses) and one fix for every kind. Now each kind
 * names its reviewed way: a failed row, prodguard repair from CI; a changed checksum, the deployed
 * bytes back; a deleted migration, the contract's history entry.
 */
@DisplayName("G7: a history problem names prodguard's reviewed way forward, never 'run repair'")
class G7HistoryAdviceIT {
  @TempDir Path dir;

  @Test
  @DisplayName("G7: a failed migration row: the fix names prodguard repair from CI")
  void failedRowNamesRepair() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__half.sql", "CREATE TABLE half (id INT);\nINSERT INTO no_such_table VALUES (1);\n");
      assertThat(catchThrowable(() -> f.pipeline().promote("prod")))
          .isInstanceOf(DeployFailure.class);
      assertThatThrownBy(() -> f.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
                assertThat(r.why()).contains("failed migration").doesNotContain("run repair");
                assertThat(r.fix())
                    .contains("prodguard repair prod --reason", "from CI")
                    .doesNotContain("review that one version", "state: missing");
              });
    }
  }

  @Test
  @DisplayName("G7: an applied migration edited since: the fix says restore the deployed bytes")
  void checksumNamesDeployedBytes() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      Path v1 = f.migrations.resolve("V1__items.sql");
      Files.writeString(v1, Files.readString(v1) + "-- edited upstream\nSELECT 1;\n");
      assertThatThrownBy(() -> f.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
                assertThat(r.why()).contains("checksum mismatch").doesNotContain("run repair");
                assertThat(r.fix())
                    .contains("exactly as it was deployed", "new migration")
                    .doesNotContain("prodguard repair prod", "state: missing");
              });
    }
  }

  @Test
  @DisplayName("G7: a deleted applied migration: the fix names the contract's history entry")
  void deletedNamesHistoryEntry() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration("V2__two.sql", "CREATE TABLE two (id int);\n");
      f.pipeline().promote("prod");
      Files.delete(f.migrations.resolve("V2__two.sql"));
      assertThatThrownBy(() -> f.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
                assertThat(r.why()).doesNotContain("run repair");
                // the last applied version deleted: Flyway reads it as future (above every file),
                // and the entry must name the state Flyway reads (a 'missing' one matches nothing)
                assertThat(r.fix())
                    .contains("state: future", "contract's history", "file was deleted")
                    // the deleted version itself, never another example's
                    .contains("{ version: \"2\", state: future")
                    .doesNotContain("prodguard repair prod");
              });
    }
  }
}
