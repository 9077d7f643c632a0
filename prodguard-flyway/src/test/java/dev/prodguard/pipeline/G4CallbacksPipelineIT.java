package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Flyway runs SQL callbacks during migrate (afterMigrate.sql after every migrate, beforeEachMigrate
 * before each migration), on the deploy's connections: verify analyses them with the pending
 * migrations, so a destructive statement hidden in a callback is refused before any backup.
 */
@DisplayName("G4: callbacks Flyway runs during a deploy are analysed by verify")
class G4CallbacksPipelineIT {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: a DROP TABLE in afterMigrate.sql is refused at verify; nothing changes")
  void dropInAfterMigrate(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration("V2__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY);\n");
      f.migration("afterMigrate.sql", "DROP TABLE items;\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).as("verify must refuse the callback").isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("afterMigrate.sql").contains("[drop-table]");
      assertThat(f.query("SELECT COUNT(*) FROM prodguard_run WHERE status = 'verified'"))
          .contains("0");
      assertThat(f.tableExists("items")).isTrue();
      assertThat(f.tableExists("orders")).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: a harmless callback of the user's own is analysed, passes, and runs with the deploy")
  void harmlessCallbackDeploys(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      // afterMigrateApplied: runs only in a migrate that applied something (an afterMigrate one is
      // refused by every-migrate-callback-write: it would run at every start-up)
      f.migration("afterMigrateApplied__note.sql", "UPDATE items SET name = name WHERE id = 1;\n");
      Results.Promote p = f.pipeline().promote("prod");
      assertThat(p.deploy()).isPresent();
      assertThat(p.deploy().get().run()).isPresent();
      assertThat(f.tableExists("items")).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: verify and status never run the project's callbacks: a DELETE in beforeValidate.sql"
          + " and an UPDATE in beforeInfo.sql change nothing (both ran before the fix, the DELETE"
          + " even though verify then refused it)")
  void readsRunNoCallbacks(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.migration(
          "V2__orders.sql",
          "CREATE TABLE orders (id INT PRIMARY KEY, total INT);\n"
              + "INSERT INTO orders VALUES (1, 10), (2, 20);\n");
      f.pipeline().promote("prod");

      f.migration("beforeValidate.sql", "DELETE FROM orders;\n");
      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
      assertThat(r).as("the DELETE is judged and refused").isNotNull();
      assertThat(r.why()).contains("beforeValidate.sql");
      assertThat(f.query("SELECT COUNT(*) FROM orders")).contains("2");
      java.nio.file.Files.delete(f.migrations.resolve("beforeValidate.sql"));

      f.migration("beforeInfo.sql", "UPDATE orders SET total = 0 WHERE id > 0;\n");
      f.pipeline().status("prod");
      assertThat(f.query("SELECT SUM(total) FROM orders")).contains("30");
    }
  }
}
