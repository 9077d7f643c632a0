package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Flyway SQL migration with PostgreSQL's {@code COPY ... FROM STDIN} and its rows (Flyway runs it
 * through the driver's CopyManager) deploys as with plain Flyway. The deploy's connections were
 * proxies made by the JDK's class loader, so Flyway could not find the driver's CopyManager and
 * every such deploy failed after the backup (attack17 finding 29).
 */
@DisplayName("G7: a COPY ... FROM STDIN migration deploys as plain Flyway deploys it")
class G7CopyFromStdinIT {
  @TempDir Path dir;

  @Test
  void copyFromStdinDeploys() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      f.migration(
          "V2__orders.sql",
          "CREATE TABLE orders (id int PRIMARY KEY, note text);\n"
              + "COPY orders (id, note) FROM STDIN;\n"
              + "1\tfirst\n"
              + "2\tsecond\n"
              + "\\.\n");
      f.pipeline().promote("prod");
      assertThat(f.query("SELECT string_agg(note, ',' ORDER BY id) FROM orders"))
          .contains("first,second");
    }
  }
}
