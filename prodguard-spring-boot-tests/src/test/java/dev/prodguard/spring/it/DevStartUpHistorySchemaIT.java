package dev.prodguard.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * A dev application whose Flyway keeps its history in another schema ({@code
 * spring.flyway.default-schema}) than the one holding prodguard's fingerprint table. The starter
 * looked for the history table in the connection's schema: it found only prodguard's table there,
 * took the database for new on every start-up and ran a baseline into a history that already held
 * migrations (the second start-up failed), and with a baseline migration removed its row from an
 * unqualified {@code flyway_schema_history} that is not on the search path (the first start-up
 * failed). The starter now reads Flyway's own history schema, as the deploy does.
 */
@DisplayName("Spring Boot dev start-up: the history in spring.flyway.default-schema")
class DevStartUpHistorySchemaIT {
  @TempDir Path dir;

  /** An application whose tables all live in Flyway's schema: none of its own in the other. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class SchemaApp {}

  @Test
  @DisplayName("an application with default-schema starts twice and migrates once")
  void restartsWithHistoryInDefaultSchema() throws Exception {
    try (TestDatabase dev = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Apps.fingerprint(dev, "dev");
      Map<String, Object> p = Apps.props(Apps.config(dir), "dev", dev.jdbcUrl());
      p.put("spring.flyway.default-schema", "app");
      for (int start = 0; start < 2; start++) {
        try (ConfigurableApplicationContext ctx = Apps.start(p, SchemaApp.class)) {
          assertThat(ctx.isActive()).isTrue();
        }
      }
      assertThat(history(dev, "app")).containsExactly("<< Flyway Schema Creation >>", "1", "2");
    }
  }

  @Test
  @DisplayName("a baseline migration with default-schema is applied as on an empty database")
  void baselineMigrationWithHistoryInDefaultSchema() throws Exception {
    try (TestDatabase dev = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Apps.fingerprint(dev, "dev");
      Path extra = Files.createDirectories(dir.resolve("baseline"));
      Files.writeString(
          extra.resolve("B2__everything.sql"),
          "CREATE TABLE orders (id bigint PRIMARY KEY, item text);\n"
              + "CREATE TABLE invoices (id bigint PRIMARY KEY);\n");
      Map<String, Object> p = Apps.props(Apps.config(dir), "dev", dev.jdbcUrl());
      p.put("spring.flyway.locations", "filesystem:" + extra);
      p.put("spring.flyway.default-schema", "app");
      for (int start = 0; start < 2; start++) {
        try (ConfigurableApplicationContext ctx = Apps.start(p, SchemaApp.class)) {
          assertThat(ctx.isActive()).isTrue();
        }
      }
      assertThat(history(dev, "app")).containsExactly("<< Flyway Schema Creation >>", "2");
    }
  }

  /** The history's versions in rank order (the schema-creation marker by its description). */
  private static List<String> history(TestDatabase db, String schema) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT coalesce(version, description) FROM "
                    + schema
                    + ".flyway_schema_history ORDER BY installed_rank")) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }
}
