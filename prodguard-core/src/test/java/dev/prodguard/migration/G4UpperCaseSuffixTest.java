package dev.prodguard.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacker 27/01: Flyway matches {@code .sql} ignoring case, so {@code afterMigrate.SQL} ran on
 * every hand-run migrate of a guarded database ({@code DELETE FROM users}) while lint saw one file,
 * verify saw nothing pending and scan said nothing. A script in another case is now refused by name
 * when its location is read, before anything judges or runs.
 */
@DisplayName("G4: a script whose .sql suffix is in another case is refused by name")
class G4UpperCaseSuffixTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "afterMigrate.SQL",
        "afterMigrate.Sql",
        "V2__x.SQL",
        "R__r.sQl",
        "sub/beforeMigrate.SQL",
        "V1__ok.sql.CONF"
      })
  void refusedByName(String name) throws Exception {
    Path loc = Files.createDirectories(dir.resolve("db"));
    Files.writeString(loc.resolve("V1__ok.sql"), "CREATE TABLE users (id int);\n");
    Path file = loc.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "DELETE FROM users;\n");
    assertThatThrownBy(() -> MigrationFiles.read(List.of(loc)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Flyway reads a suffix in any case")
        .hasMessageContaining("rename it")
        .satisfies(e -> assertThat(((ConfigException) e).file()).endsWith(name));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"afterMigrate.sql", "V2__x.sql", "README.md", "notes.SQL.txt"})
  void readAsBefore(String name) throws Exception {
    Path loc = Files.createDirectories(dir.resolve("db"));
    Files.writeString(loc.resolve(name), "SELECT 1;\n");
    assertThat(MigrationFiles.read(List.of(loc)).all()).hasSize(name.endsWith(".sql") ? 1 : 0);
  }
}
