package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A history that must be repaired: on MariaDB, whose DDL commits on its own, a migration that fails
 * after its CREATE TABLE leaves the table and a failed row in flyway_schema_history, and Flyway (so
 * verify, G7) refuses every later run until the row is gone; a hand-run {@code flyway repair} is
 * refused by the history guard (G6). {@code prodguard repair ENV --reason} is the way out: only
 * from CI (G1), under the deploy lock, audited with its reason (G10), removing only the failed row.
 */
@DisplayName("G1/G10 guarded repair of a failed migration's history row")
class G1G10GuardedRepairIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G1: repair of a protected environment fails locally; G10: from CI it removes only the"
          + " failed row, audited with its reason, and the fixed migration then promotes")
  void repairFailedRow() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__half.sql", "CREATE TABLE half (id INT);\nINSERT INTO no_such_table VALUES (1);\n");
      assertThat(catchThrowable(() -> f.pipeline().promote("prod")))
          .isInstanceOf(DeployFailure.class);
      assertThat(f.query("SELECT success FROM flyway_schema_history WHERE version = '2'"))
          .contains("0");
      assertThatThrownBy(() -> f.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class, r -> assertThat(r.why()).contains("failed migration"));

      // A laptop with the URL (no CI): refused before anything, the row stays.
      Map<String, String> laptop = new HashMap<>(f.ciEnv());
      laptop.remove("CI");
      RunContext local = new RunContext(laptop, Clock.systemUTC(), "dev", "laptop");
      assertThatThrownBy(() -> f.pipeline(local).repair("prod", "cleaned up by hand"))
          .isInstanceOfSatisfying(
              GuardRefusal.class, r -> assertThat(r.guarantee()).isEqualTo(Guarantee.G1));
      assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2'"))
          .contains("1");

      // What the migration left is removed (the operator's part), then the repair from CI.
      f.db.execute("DROP TABLE half");
      List<String> removed = f.pipeline().repair("prod", "INC-7: dropped table half by hand");
      assertThat(removed).containsExactly("V2__half.sql");
      assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '2'"))
          .contains("0");
      assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '1'"))
          .contains("1");
      assertThat(f.query("SELECT details FROM prodguard_audit WHERE outcome = 'repaired'"))
          .hasValueSatisfying(d -> assertThat(d).contains("INC-7", "V2__half.sql"));
      assertThat(f.pipeline().repair("prod", "again")).isEmpty();
      assertThat(
              f.query("SELECT COUNT(*) FROM prodguard_audit WHERE outcome = 'nothing_to_repair'"))
          .contains("1");

      // Dropping 'half' by hand changed the schema the failed deploy recorded: that is drift
      // (G7) until it is accepted, CI-only and audited like the repair itself.
      assertThatThrownBy(() -> f.pipeline().verify("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class, r -> assertThat(r.why()).contains("table half"));
      f.pipeline().driftAccept("prod", "INC-7: half-made table dropped by hand");

      f.migration("V2__half.sql", "CREATE TABLE half (id INT);\n");
      Results.Promote p = f.pipeline().promote("prod");
      assertThat(p.deploy().orElseThrow().applied()).hasSize(1);
      assertThat(f.tableExists("half")).isTrue();
    }
  }

  @Test
  @DisplayName("G10: a repair without a reason is refused before it connects")
  void reasonRequired() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      assertThatThrownBy(() -> f.pipeline().repair("prod", "  "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--reason");
      assertThat(f.query("SELECT COUNT(*) FROM prodguard_audit WHERE command = 'repair'"))
          .contains("0");
    }
  }
}
