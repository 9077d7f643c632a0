package dev.prodguard.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A dev application that migrates at start-up, with a {@code CREATE INDEX CONCURRENTLY} migration
 * in the shape {@code prodguard lint} recommends ({@code executeInTransaction=false} in its
 * {@code .conf}). Before the fix the start-up hung for good: Flyway's default transaction-level
 * PostgreSQL lock kept its history connection idle in a transaction, which the index build waits
 * for. The starter now migrates with the session-level lock, as {@code prodguard deploy} does. The
 * timeout only turns the old hang into a failure.
 */
@DisplayName("Spring Boot dev start-up: a CREATE INDEX CONCURRENTLY migration does not hang")
class DevStartUpConcurrentIndexIT {
  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void concurrentIndexMigrates() throws Exception {
    try (TestDatabase dev = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Apps.fingerprint(dev, "dev");
      Path extra = Files.createDirectories(dir.resolve("extra"));
      Files.writeString(
          extra.resolve("V3__orders_item.sql"),
          "CREATE INDEX CONCURRENTLY orders_item ON orders (item);\n");
      Files.writeString(extra.resolve("V3__orders_item.sql.conf"), "executeInTransaction=false\n");
      Map<String, Object> p = Apps.props(Apps.config(dir), "dev", dev.jdbcUrl());
      p.put("spring.flyway.locations", Apps.APP_MIGRATIONS + ",filesystem:" + extra);
      try (ConfigurableApplicationContext ctx = Apps.start(p)) {
        assertThat(ctx.isActive()).isTrue();
      }
      try (Connection c = dev.connect();
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT COUNT(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                      + " WHERE c.relname = 'orders_item' AND i.indisvalid")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }
}
