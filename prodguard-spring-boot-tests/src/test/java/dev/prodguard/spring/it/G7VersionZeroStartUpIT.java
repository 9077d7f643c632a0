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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * Attacker 23, finding 01, at start-up: a database fingerprinted before its first migration holds
 * only prodguard's table, so the starter adopts it with prodguard's baseline row at version 0. A
 * history that starts at {@code V0__x.sql} was taken by Flyway as applied by that row and never
 * ran. The row now goes again before Flyway migrates, as for a baseline migration.
 */
@DisplayName("G7: Spring Boot start-up runs a V0 migration on a database that held only prodguard")
class G7VersionZeroStartUpIT {
  @TempDir Path dir;

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @ParameterizedTest(name = "G7: {0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: V0 and V1 both run, once, over two start-ups")
  void versionZeroRuns(DatabaseKind kind) throws Exception {
    try (TestDatabase dev = TestDatabase.create(kind)) {
      Apps.fingerprint(dev, "dev");
      Path migrations = Files.createDirectories(dir.resolve("migrations"));
      Files.writeString(
          migrations.resolve("V0__accounts.sql"), "CREATE TABLE accounts (id INT PRIMARY KEY);\n");
      Files.writeString(
          migrations.resolve("V1__items.sql"), "CREATE TABLE items (id INT PRIMARY KEY);\n");
      Map<String, Object> p = Apps.props(Apps.config(dir), "dev", dev.jdbcUrl());
      p.put("spring.flyway.locations", "filesystem:" + migrations);
      for (int start = 0; start < 2; start++) {
        try (ConfigurableApplicationContext ctx = Apps.start(p, App.class)) {
          assertThat(ctx.isActive()).isTrue();
        }
      }
      assertThat(history(dev)).containsExactly("0 V0__accounts.sql", "1 V1__items.sql");
      try (Connection c = dev.connect();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM accounts")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  private static List<String> history(TestDatabase db) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT version, script FROM flyway_schema_history WHERE success = TRUE"
                    + " ORDER BY installed_rank")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    return rows;
  }
}
