package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacker 27/02 on real PostgreSQL through the real Flyway API: {@code afterMigrate.sql} holding
 * {@code SELECT ${n};}, prodguard.yml {@code n: 1}. An application's start-up Flyway (here:
 * Flyway's API with the application's own {@code placeholders}, as {@code
 * spring.flyway.placeholders.n} sets them) runs the callback on every migrate, nothing pending
 * included, with its own value: {@code 1; DELETE FROM users WHERE true; SELECT 1} empties the
 * protected table. verify passed the callback before the fix; it now refuses it
 * (callback-placeholder, G4), while the same callback with the value written literally passes and
 * stays harmless under the application's Flyway.
 */
@DisplayName("G4: a callback's placeholder is refused at verify; the application's value would run")
class G4CallbackPlaceholderIT {
  static final String APP_VALUE = "1; DELETE FROM users WHERE true; SELECT 1";

  @TempDir Path dir;

  @Test
  @DisplayName(
      "G4 (attacker 27/02): afterMigrate.sql 'SELECT ${n};' (prodguard.yml n: 1) is refused at"
          + " verify; the application's Flyway with n='"
          + APP_VALUE
          + "' would have emptied users")
  void refusedAtVerifyWhereTheApplicationsValueWouldRun() throws Exception {
    try (PipelineFixture f = PipelineFixture.protectedUsers(DatabaseKind.POSTGRESQL, dir, "")) {
      Path yml = dir.resolve("prodguard.yml");
      Files.writeString(
          yml,
          Files.readString(yml)
              .replace(
                  "  locations: [db/migration]\n",
                  "  locations: [db/migration]\n  placeholders: { n: '1' }\n"));
      f.migration("afterMigrate.sql", "SELECT ${n};\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r).as("verify must refuse the callback's placeholder").isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why())
          .contains("afterMigrate.sql", "[callback-placeholder]", "${n}", "not prodguard.yml's")
          .contains("placeholderReplacement=false");
      assertThat(f.query("SELECT COUNT(*) FROM prodguard_run WHERE status = 'verified'"))
          .contains("0");
      assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");

      // The value written literally: verify passes, and the application's Flyway, whatever its
      // placeholder values, runs exactly what was judged.
      f.migration("afterMigrate.sql", "SELECT 1;\n");
      f.pipeline().verify("prod");
      applicationsFlyway(f).migrate();
      assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");

      // What verify passed before the fix: the application's start-up migration, nothing
      // pending, runs the callback with its own value and empties the protected table.
      f.migration("afterMigrate.sql", "SELECT ${n};\n");
      assertThat(applicationsFlyway(f).migrate().migrationsExecuted).isZero();
      assertThat(f.query("SELECT COUNT(*) FROM users")).contains("0");
    }
  }

  /** What an application's start-up runs: Flyway's API, its own account and placeholders. */
  private static Flyway applicationsFlyway(PipelineFixture f) {
    return Flyway.configure()
        .dataSource(f.appJdbcUrl(), null, null)
        .locations("filesystem:" + f.migrations)
        .placeholders(Map.of("n", APP_VALUE))
        .load();
  }
}
