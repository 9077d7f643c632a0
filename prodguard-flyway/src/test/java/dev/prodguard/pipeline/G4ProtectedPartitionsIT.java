package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G4 on PostgreSQL (attack finding 30): a partition or an inheritance child of a protected table
 * holds that table's rows. The partitions here were made outside the migrations (by hand, as a
 * partition manager makes them), so only the target's catalog knows them: verify reads its
 * partition tree and refuses a migration that drops or alters one.
 */
@DisplayName("G4 partitions of a protected table (verify, PostgreSQL)")
class G4ProtectedPartitionsIT {
  @TempDir Path dir;

  private static PipelineFixture withPartitions(Path dir) throws Exception {
    PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir);
    // made before the first deploy (its schema digest holds them: no drift), in a schema Flyway
    // does not manage (it refuses a non-empty schema of its own without history)
    f.db.execute(
        "CREATE SCHEMA sales",
        "CREATE TABLE sales.orders (id bigint, total int) PARTITION BY RANGE (id)",
        "CREATE TABLE sales.orders_2024 PARTITION OF sales.orders FOR VALUES FROM (0) TO (1000)"
            + " PARTITION BY RANGE (id)",
        "CREATE TABLE sales.orders_2024_q1 PARTITION OF sales.orders_2024"
            + " FOR VALUES FROM (0) TO (250)",
        "CREATE TABLE sales.orders_legacy (id bigint, total int)",
        "CREATE TABLE sales.orders_legacy_2019 () INHERITS (sales.orders_legacy)",
        "CREATE TABLE sales.unrelated (id bigint)",
        "INSERT INTO sales.orders SELECT g, 1 FROM generate_series(0, 199) g",
        "INSERT INTO sales.orders_legacy_2019 VALUES (1, 1)");
    f.pipeline().promote("prod");
    Files.writeString(
        dir.resolve("prodguard-contract.yml"),
        "version: 1\nprotected-tables: { sales.orders: {}, sales.orders_legacy: {} }\n");
    return f;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "DROP TABLE sales.orders_2024_q1",
        "ALTER TABLE sales.orders_2024 ALTER COLUMN total SET DEFAULT 0",
        "DELETE FROM sales.orders_2024_q1 WHERE id < 10",
        "ALTER TABLE sales.orders_legacy_2019 ADD COLUMN note text",
      })
  @DisplayName("G4: verify refuses a change to a partition or child of a protected table")
  void refused(String statement) throws Exception {
    try (PipelineFixture f = withPartitions(dir)) {
      f.migration("V2__change.sql", statement + ";\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).as(statement).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why())
          .contains(
              "V2__change.sql",
              "protected-table-write",
              "a partition (or inheritance child) of protected table sales.orders");
      assertThat(f.query("SELECT count(*) FROM sales.orders")).contains("200");
    }
  }

  @Test
  @DisplayName("G4: a table in no protected table's partition tree stays free to change")
  void unrelatedPasses() throws Exception {
    try (PipelineFixture f = withPartitions(dir)) {
      f.migration("V2__change.sql", "ALTER TABLE sales.unrelated ADD COLUMN note text;\n");

      assertThat(f.pipeline().verify("prod").run()).isPresent();
    }
  }
}
