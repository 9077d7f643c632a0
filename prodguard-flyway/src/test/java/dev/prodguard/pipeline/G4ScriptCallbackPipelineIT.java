package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.config.ConfigException;
import dev.prodguard.db.DatabaseKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacker 13/F1 and F5 on real PostgreSQL: {@code db/migration/afterMigrate.sh} ({@code psql -c
 * "delete from users where id=1"}), which Flyway OSS runs as a script callback on every migrate,
 * and a link to a folder inside the location holding a DELETE callback. promote (verify) refuses
 * both as a configuration error naming the file, before any backup, run or history row.
 */
@DisplayName("G4: a script callback or a folder link in a location stops promote (pipeline)")
class G4ScriptCallbackPipelineIT {
  @TempDir Path dir;

  private void refused(PipelineFixture f, String name) throws Exception {
    String history = f.query("SELECT COUNT(*) FROM flyway_schema_history").orElseThrow();
    f.migration("V2__users.sql", "CREATE TABLE users (id INT PRIMARY KEY);\n");
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> f.pipeline().promote("prod"));
    assertThat(e).as("promote must fail with a configuration error").isNotNull();
    assertThat(e.file()).endsWith(name);
    assertThat(f.query("SELECT COUNT(*) FROM prodguard_run WHERE status = 'verified'"))
        .contains("0");
    assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history")).contains(history);
    assertThat(f.tableExists("users")).isFalse();
  }

  @Test
  void shellCallbackRefused() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.create(DatabaseKind.POSTGRESQL, dir, "prod", true, false)) {
      f.pipeline().promote("prod");
      Files.writeString(
          f.migrations.resolve("afterMigrate.sh"),
          "#!/bin/sh\npsql \"$DATABASE_URL\" -c \"delete from users where id=1\"\n");
      refused(f, "afterMigrate.sh");
    }
  }

  @Test
  void folderLinkRefused() throws Exception {
    try (PipelineFixture f =
        PipelineFixture.create(DatabaseKind.POSTGRESQL, dir, "prod", true, false)) {
      f.pipeline().promote("prod");
      Path tools = Files.createDirectories(dir.resolve("tools"));
      Files.writeString(tools.resolve("afterMigrate__d.sql"), "DELETE FROM items;\n");
      Files.createSymbolicLink(f.migrations.resolve("sub"), tools);
      refused(f, "sub");
    }
  }
}
