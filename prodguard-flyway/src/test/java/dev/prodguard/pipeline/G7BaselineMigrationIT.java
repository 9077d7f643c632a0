package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14 (new-user finding F1: hawkbit and negotiator squash their history into a Flyway baseline
 * migration, {@code B<version>__x.sql}). prodguard promotes such a history exactly as the Flyway in
 * its jar migrates it: on a database without history the latest baseline migration and then the
 * versions above it (the versioned ones at or below it are skipped), with the schema and rows plain
 * Flyway leaves; where history exists the baseline migration is ignored and the versioned ones run.
 * Both were refused before (deploy-will-fail "Flyway refuses the name", G7).
 */
@DisplayName("G7: a history with a Flyway baseline migration is promoted as Flyway migrates it")
class G7BaselineMigrationIT {
  @TempDir Path dir;
  @TempDir Path plainDir;

  static final String B2 =
      "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50), note VARCHAR(20));\n"
          + "CREATE TABLE orders (id INT PRIMARY KEY, item_id INT);\n"
          + "INSERT INTO items VALUES (1, 'one', 'from B2'), (2, 'two', 'from B2');\n";

  static void history(PipelineFixture f) {
    f.migration("V2__orders.sql", "CREATE TABLE orders (id INT PRIMARY KEY, item_id INT);\n");
    f.migration("B2__Baseline_migration.sql", B2);
    f.migration("V3__order_notes.sql", "ALTER TABLE orders ADD COLUMN note VARCHAR(20);\n");
  }

  static List<String> scripts(Results.Promote p) {
    return p.deploy().orElseThrow().applied().stream()
        .map(MigrationEngine.Applied::script)
        .toList();
  }

  @ParameterizedTest(name = "G7: {0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: a fresh database gets the baseline migration and the versions above it")
  void freshDatabase(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir);
        TestDatabase plain = TestDatabase.create(kind)) {
      history(f);
      Results.Promote promoted = f.pipeline().promote("prod");
      assertThat(scripts(promoted))
          .containsExactly("B2__Baseline_migration.sql", "V3__order_notes.sql");

      // the same migrations without prodguard's callback, which needs prodguard's objects
      try (Stream<Path> files = Files.list(f.migrations)) {
        for (Path p : files.filter(p -> !p.endsWith("beforeEachMigrate.sql")).toList()) {
          Files.copy(p, plainDir.resolve(p.getFileName()));
        }
      }
      int plainRan =
          Flyway.configure()
              .dataSource(plain.jdbcUrl(), null, null)
              .locations("filesystem:" + plainDir)
              .validateMigrationNaming(true)
              .load()
              .migrate()
              .migrationsExecuted;
      assertThat(plainRan).isEqualTo(2);
      List<String> ours = RealisticHistoryIT.dump(f.db);
      assertThat(ours)
          .containsExactlyElementsOf(RealisticHistoryIT.dump(plain))
          .anyMatch(l -> l.contains("from B2"));
      assertThat(historyRows(f.db))
          .containsExactly(
              "2 SQL_BASELINE B2__Baseline_migration.sql", "3 SQL V3__order_notes.sql");

      // the next promote: nothing pending, Flyway's validation passes (no review asked for)
      Results.Promote again = f.pipeline().promote("prod");
      assertThat(again.deploy()).isEmpty();
    }
  }

  @ParameterizedTest(name = "G7: {0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: where history exists the baseline migration is ignored, as Flyway ignores it")
  void existingHistory(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      assertThat(scripts(f.pipeline().promote("prod"))).containsExactly("V1__items.sql");
      history(f);
      assertThat(scripts(f.pipeline().promote("prod")))
          .containsExactly("V2__orders.sql", "V3__order_notes.sql");
      assertThat(historyRows(f.db))
          .containsExactly(
              // init-fingerprint's prodguard-only schema got prodguard's own baseline at 0
              "0 BASELINE prodguard: schema held only prodguard metadata",
              "1 SQL V1__items.sql",
              "2 SQL V2__orders.sql",
              "3 SQL V3__order_notes.sql");
    }
  }

  /**
   * Attacker 23, finding 01: prodguard's own baseline row (version 0) on a database that held only
   * prodguard's tables made Flyway take {@code V0__x.sql} as applied: verified, backed up for, then
   * silently never run. Every spelling of version 0 now runs like any pending migration.
   */
  @ParameterizedTest(name = "G7: {0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: a V0 migration on a database that held only prodguard's tables is applied")
  void versionZeroIsApplied(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.migration("V0__accounts.sql", "CREATE TABLE accounts (id INT PRIMARY KEY);\n");
      f.migration("V0.0.5__audit.sql", "CREATE TABLE audit_rows (id INT PRIMARY KEY);\n");
      assertThat(scripts(f.pipeline().promote("prod")))
          .containsExactly("V0__accounts.sql", "V0.0.5__audit.sql", "V1__items.sql");
      assertThat(historyRows(f.db))
          .containsExactly(
              "0 SQL V0__accounts.sql", "0.0.5 SQL V0.0.5__audit.sql", "1 SQL V1__items.sql");
      try (Connection c = f.db.connect();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM accounts")) {
        assertThat(rs.next()).isTrue();
      }
      assertThat(f.pipeline().promote("prod").deploy()).isEmpty();
    }
  }

  static List<String> historyRows(TestDatabase db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version, type, script FROM flyway_schema_history WHERE success = TRUE"
                    + " ORDER BY installed_rank")) {
      while (rs.next()) {
        out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
      }
    }
    return out;
  }
}
