package dev.prodguard.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacker 13 (F1, F5): Flyway OSS runs shell, Python, PowerShell and batch files in its locations
 * as script migrations and callbacks ({@code afterMigrate.sh} running {@code psql -c "delete ..."}
 * on every start-up), and follows a symbolic link to a folder inside a location; prodguard read
 * neither, so lint said ok. Both are now refused by name when a location is read.
 */
@DisplayName("G4: a script file or a folder link in a migration location is refused by name")
class G4ScriptInLocationTest {
  @TempDir Path dir;

  private Path location() throws Exception {
    Path loc = Files.createDirectories(dir.resolve("db"));
    Files.writeString(loc.resolve("V1__ok.sql"), "CREATE TABLE users (id int);\n");
    return loc;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "afterMigrate.sh",
        "afterMigrate.bash",
        "V2__x.py",
        "beforeMigrate.ps1",
        "V3__y.cmd",
        "afterMigrate.bat",
        "sub/afterMigrate.SH",
        "notes.sh"
      })
  void scriptRefusedByName(String name) throws Exception {
    Path file = location().resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "psql -c \"delete from users where id=1\"\n");
    assertThatThrownBy(() -> MigrationFiles.read(List.of(dir.resolve("db"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Flyway runs it as a script migration or callback")
        .hasMessageContaining("write the change as a SQL migration")
        .satisfies(e -> assertThat(((ConfigException) e).file()).endsWith(name));
  }

  @Test
  void folderLinkRefusedByName() throws Exception {
    Path loc = location();
    Path tools = Files.createDirectories(dir.resolve("tools"));
    Files.writeString(tools.resolve("afterMigrate__d.sql"), "DELETE FROM users;\n");
    Files.createSymbolicLink(loc.resolve("sub"), Path.of("../tools"));
    assertThatThrownBy(() -> MigrationFiles.read(List.of(loc)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("symbolic link to a folder")
        .satisfies(e -> assertThat(((ConfigException) e).file()).endsWith("sub"));
  }

  @Test
  void locationThatIsItselfALinkIsReadWhereItPoints() throws Exception {
    location();
    Path link = Files.createSymbolicLink(dir.resolve("linked"), Path.of("db"));
    assertThat(MigrationFiles.read(List.of(link)).all())
        .extracting(MigrationFile::relativePath)
        .containsExactly("V1__ok.sql");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"README.md", "V2__x.sql", "notes.shx", "afterMigrate.sql"})
  void otherFilesReadAsBefore(String name) throws Exception {
    Files.writeString(location().resolve(name), "SELECT 1;\n");
    assertThat(MigrationFiles.read(List.of(dir.resolve("db"))).all())
        .hasSize(name.endsWith(".sql") && !name.equals("V1__ok.sql") ? 2 : 1);
  }
}
