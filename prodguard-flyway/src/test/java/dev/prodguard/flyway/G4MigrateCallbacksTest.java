package dev.prodguard.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.migration.MigrateCallback;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.support.DatabaseSupport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Trace replays the project's callbacks where the deploy's migrate runs them: the engine says when
 * (Flyway 13's firing order), and an event it does not model is unknown, so the trace stops as
 * incomplete instead of leaving the callback out.
 */
@DisplayName("G4: the Flyway engine says when migrate runs each project callback")
class G4MigrateCallbacksTest {

  private static MigrationFile file(String name) {
    return new MigrationFile(name, "db/migration", "SELECT 1;\n".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName(
      "G4: callbacks in firing order (validate, schemas, beforeMigrate, each, after), one event's"
          + " without description first then by description; error events, other commands and"
          + " unmodelled events kept apart; prodguard's own guard callback left out")
  void momentsInFiringOrder() {
    List<MigrationFile> files = new ArrayList<>();
    for (String name :
        List.of(
            "afterMigrate.sql",
            "beforeMigrate__b.sql",
            "beforeMigrate.sql",
            "beforeMigrate__a.sql",
            "beforeValidate.sql",
            "beforeEachMigrateStatement.sql",
            "afterEachMigrate.sql",
            "beforeEachMigrate__x.sql",
            "afterMigrateError.sql",
            "beforeClean.sql",
            "afterConnect.sql",
            "beforeCreateSchema.sql",
            "V1__one.sql")) {
      files.add(file(name));
    }
    files.add(
        new MigrationFile(
            CallbackFile.NAME,
            "db/migration",
            CallbackFile.expected(DatabaseSupport.of(DatabaseKind.POSTGRESQL))
                .getBytes(StandardCharsets.UTF_8)));
    FlywayMigrationEngine engine = new FlywayMigrationEngine();
    List<String> got =
        engine.migrateCallbacks(MigrationFiles.of(files), DatabaseKind.POSTGRESQL).stream()
            .map(c -> c.source().file().fileName() + " " + c.moment())
            .toList();
    assertThat(got)
        .containsExactly(
            "beforeValidate.sql BEFORE_ALL",
            "beforeCreateSchema.sql BEFORE_ALL",
            "beforeMigrate.sql BEFORE_MIGRATE",
            "beforeMigrate__a.sql BEFORE_MIGRATE",
            "beforeMigrate__b.sql BEFORE_MIGRATE",
            "beforeEachMigrate__x.sql BEFORE_EACH",
            "beforeEachMigrateStatement.sql BEFORE_EACH_STATEMENT",
            "afterEachMigrate.sql AFTER_EACH",
            "afterMigrate.sql AFTER_ALL",
            "afterMigrateError.sql ON_ERROR",
            "beforeClean.sql NOT_IN_MIGRATE",
            "afterConnect.sql UNKNOWN")
        .hasSize(12);
    assertThat(engine.migrateCallbacks(MigrationFiles.of(List.of()), DatabaseKind.POSTGRESQL))
        .isEmpty();
    assertThat(MigrateCallback.Moment.values()).contains(MigrateCallback.Moment.UNKNOWN);
  }
}
