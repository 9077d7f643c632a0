package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.scan.rules.SqlMigrationOutsideLocations;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacker 13/F5: {@code ln -s ../../tools db/migration/sub}, with {@code
 * tools/afterMigrate__d.sql} deleting rows. Flyway follows the link and runs the callback; the scan
 * listed the link as skipped and reported nothing. A symbolic link in a db/migration folder (or in
 * a location) is now a finding of {@code sql-migration-outside-locations}, with or without git.
 */
@DisplayName("G5: a symbolic link in a Flyway migration folder is reported")
class G5MigrationFolderLinkTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "git={0}")
  @ValueSource(booleans = {true, false})
  void linkReported(boolean git) throws Exception {
    Repo repo =
        new Repo(dir)
            .file(
                "prodguard.yml",
                "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n"
                    + "migrations:\n  locations: [db/migration]\n")
            .file("db/migration/V1__users.sql", "CREATE TABLE users (id int);\n")
            .file("tools/afterMigrate__d.sql", "DELETE FROM users;\n")
            .file("other/src/main/resources/db/migration/V1__x.sql", "SELECT 1;\n");
    Files.createSymbolicLink(dir.resolve("db/migration/sub"), Path.of("../../tools"));
    Files.createSymbolicLink(
        dir.resolve("other/src/main/resources/db/migration/afterMigrate.sql"),
        Path.of("../../../../../tools/afterMigrate__d.sql"));
    Files.createSymbolicLink(dir.resolve("tools/link"), Path.of("afterMigrate__d.sql"));
    if (git) {
      repo.commit();
    }
    assertThat(Repo.positions(repo.scan(), SqlMigrationOutsideLocations.ID))
        .contains(
            "db/migration/sub:1:1", "other/src/main/resources/db/migration/afterMigrate.sql:1:1")
        .doesNotContain("tools/link:1:1");
  }
}
