package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G4: Flyway's error callbacks run on the target when a migration fails there, most often on the
 * target's rows, which trace's empty copy never reproduces; trace never replays them. Their schema
 * changes and writes are refused on protected environments before the backup (lint and verify:
 * {@code error-callback-change}); a logging-only error callback passes.
 */
@DisplayName("G4 error callbacks on a protected database")
class G4ErrorCallbackIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G4: an afterMigrateError or afterEachMigrateStatementError callback that changes the schema"
          + " or writes data (run untraced on the target when a migration fails on its rows) is"
          + " refused by verify naming the file, why and the fix; a read-only error callback"
          + " passes and the deploy applies")
  void errorCallbackChangeRefused(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir.resolve("repo"))) {
      f.pipeline().promote("prod");
      Files.writeString(
          f.migrations.resolve("afterMigrateError.sql"),
          "SELECT 1;\nALTER TABLE items ADD COLUMN token INT DEFAULT 0;\n");
      Files.writeString(
          f.migrations.resolve("afterEachMigrateStatementError__log.sql"),
          "DELETE FROM items WHERE id > 1;\n");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");

      Throwable verify = catchThrowable(() -> f.pipeline().verify("prod"));
      assertThat(verify)
          .isInstanceOfSatisfying(
              dev.prodguard.db.GuardRefusal.class,
              r ->
                  assertThat(r.why())
                      .contains(
                          "afterMigrateError.sql",
                          "afterEachMigrateStatementError__log.sql",
                          "[error-callback-change]",
                          "when a migration fails there",
                          "untraced and unreviewed (G4)",
                          "fix: Keep error callbacks to logging and reads"));
      assertThat(f.tableExists("more_items")).isFalse();

      Files.writeString(f.migrations.resolve("afterMigrateError.sql"), "SELECT 1;\n");
      Files.delete(f.migrations.resolve("afterEachMigrateStatementError__log.sql"));
      f.pipeline().promote("prod");
      assertThat(f.tableExists("more_items")).isTrue();
    }
  }
}
