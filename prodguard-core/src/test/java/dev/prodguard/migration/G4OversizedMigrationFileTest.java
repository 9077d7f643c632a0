package dev.prodguard.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration file too large to analyse whole is refused by name before it is read: an attacker's 2
 * GiB file ran lint out of memory (an OutOfMemoryError, a stack trace, nothing judged). The files
 * here are sparse: they take no disk.
 */
@DisplayName("G4: a migration file over the size prodguard analyses is refused by name")
class G4OversizedMigrationFileTest {
  @TempDir Path dir;

  private static Path sparse(Path file, long bytes) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return file;
  }

  @Test
  @DisplayName("a folder holding a file one byte over the limit is refused, naming the file")
  void folderWithOversizedFile() throws Exception {
    Path loc = Files.createDirectories(dir.resolve("db"));
    Files.writeString(loc.resolve("V1__ok.sql"), "CREATE TABLE t (id int);\n");
    sparse(loc.resolve("V2__huge.sql"), MigrationFiles.MAX_FILE_BYTES + 1);
    assertThatThrownBy(() -> MigrationFiles.read(List.of(loc)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("larger than the 256 MiB")
        .satisfies(e -> assertThat(((ConfigException) e).file()).endsWith("V2__huge.sql"));
  }

  @Test
  @DisplayName("a 2 GiB file named on the command line is refused, not read")
  void namedFileOfTwoGiB() throws Exception {
    Path huge = sparse(dir.resolve("V1__huge.sql"), 2L * 1024 * 1024 * 1024 + 10);
    assertThatThrownBy(() -> MigrationFiles.read(List.of(huge)))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).file()).endsWith("V1__huge.sql"));
  }

  @Test
  @DisplayName("a file of exactly the limit is read")
  void fileAtTheLimitIsRead() throws Exception {
    Path loc = Files.createDirectories(dir.resolve("db"));
    sparse(loc.resolve("V1__big.sql"), MigrationFiles.MAX_FILE_BYTES);
    assertThat(MigrationFiles.read(List.of(loc)).all()).hasSize(1);
  }
}
