package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Newuser 19, item 15: a NOT NULL column without a default on a table that holds rows passed
 * verify, took a backup and failed the deploy. Verify reads the target: on PostgreSQL the failure
 * is certain, so it is refused before the backup (G7); only where certain. After a transactional
 * PostgreSQL migration fails, the failure says no restore is needed.
 */
@DisplayName("G7: verify predicts the deploy failures the target's rows make certain")
class G7RowsMakeDeployFailIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G7: ADD COLUMN ... NOT NULL without a default on a PostgreSQL table with rows is refused in"
          + " verify, before any backup")
  void notNullColumnOnTableWithRows() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__currency.sql",
          "ALTER TABLE items ADD COLUMN note text;\n"
              + "ALTER TABLE items ADD COLUMN currency text NOT NULL;\n");
      assertThatThrownBy(() -> f.pipeline().promote("prod"))
          .isInstanceOfSatisfying(
              GuardRefusal.class,
              r -> {
                assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
                assertThat(r.why())
                    .contains(
                        "the deploy would fail",
                        "V2__currency.sql:2",
                        "items.currency",
                        "holds rows");
              });
      assertThat(f.query("SELECT count(*)::text FROM prodguard_run")).contains("1");
      assertThat(
              f.query(
                  "SELECT count(*)::text FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'note'"))
          .contains("0");
    }
  }

  @Test
  @DisplayName(
      "G7: not predicted where not certain: an empty table, a table emptied or created earlier in"
          + " the pending set, a column with a default; those promote")
  void onlyWhereCertain() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration("V2__empty.sql", "CREATE TABLE empty_t (id int);\n");
      f.pipeline().promote("prod");
      f.migration("V3__a.sql", "ALTER TABLE empty_t ADD COLUMN a text NOT NULL;\n");
      f.migration("V4__gone.sql", "DELETE FROM items WHERE id > 0;\n");
      f.migration("V5__b.sql", "ALTER TABLE items ADD COLUMN b text NOT NULL;\n");
      f.migration(
          "V6__c.sql", "CREATE TABLE fresh (id int);\nALTER TABLE fresh ADD c text NOT NULL;\n");
      f.migration("V7__d.sql", "ALTER TABLE items ADD COLUMN d text NOT NULL DEFAULT 'x';\n");
      f.pipeline().promote("prod");
      assertThat(f.query("SELECT count(*)::text FROM flyway_schema_history WHERE version = '7'"))
          .contains("1");
    }
  }

  @Test
  @DisplayName(
      "G7: a transactional PostgreSQL migration that fails is rolled back: the failure says no"
          + " restore is needed")
  void transactionalFailureNeedsNoRestore() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__dup.sql",
          "ALTER TABLE items ADD COLUMN note text;\nINSERT INTO items (id) VALUES (1);\n");
      Throwable t = catchThrowable(() -> f.pipeline().promote("prod"));
      assertThat(t).isInstanceOf(DeployFailure.class);
      assertThat(t.getMessage())
          .contains("No restore is needed", "rolled back")
          .doesNotContain("If the database is left inconsistent");
      assertThat(
              f.query(
                  "SELECT count(*)::text FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'note'"))
          .contains("0");
    }
  }

  @Test
  @DisplayName("G7: MariaDB fills a NOT NULL column's implicit default: not predicted, it promotes")
  void mariadbFillsImplicitDefault() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      f.pipeline().promote("prod");
      f.migration("V2__currency.sql", "ALTER TABLE items ADD COLUMN currency text NOT NULL;\n");
      f.pipeline().promote("prod");
      assertThat(f.query("SELECT COUNT(*) FROM items WHERE currency = ''")).contains("3");
    }
  }
}
