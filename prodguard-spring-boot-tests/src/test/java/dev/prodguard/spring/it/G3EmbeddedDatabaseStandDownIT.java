package dev.prodguard.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;

/**
 * An application whose DataSource is an in-memory embedded database (the H2 of a project's
 * {@code @SpringBootTest}s) cannot reach any environment's database: the starter stands down for
 * it, with one INFO line, and Flyway migrates it as Spring Boot does, prodguard.yml present and
 * {@code prodguard.environment} unset. Anything else stays refused as before (G3: a file-mode H2,
 * a server's URL, a DataSource that is not in memory while the environment is unset).
 */
@DisplayName("G3 Spring Boot starter: stands down for an in-memory embedded database, only for it")
class G3EmbeddedDatabaseStandDownIT {
  private static final String STAND_DOWN = "prodguard stands down for this application's DataSource";

  @TempDir Path dir;

  /** Properties of an application with prodguard.yml and no prodguard.environment. */
  private Map<String, Object> noEnvironment(String url) throws Exception {
    Map<String, Object> p = Apps.props(Apps.config(dir), "dev", url);
    p.remove("prodguard.environment");
    return p;
  }

  @Test
  @DisplayName(
      "jdbc:h2:mem: with prodguard.yml and no prodguard.environment: starts, migrates, one INFO"
          + " line, no WARN about prodguard's beans")
  void h2InMemoryStartsAndMigrates() throws Exception {
    try (Apps.Started s = Apps.startCapturing(noEnvironment("jdbc:h2:mem:hux22a"))) {
      DataSource ds = s.context().getBean(DataSource.class);
      assertThat(ds.getClass().getSimpleName()).isNotEqualTo("GuardedDataSource");
      assertThat(applied(ds)).containsExactly("1", "2");
      assertThat(s.output()).containsOnlyOnce(STAND_DOWN).contains("jdbc:h2:mem:hux22a");
      assertThat(s.output()).doesNotContain("is not eligible for getting processed");
    }
  }

  @Test
  @DisplayName("jdbc:h2:mem: with prodguard.environment=dev: starts and migrates")
  void h2InMemoryWithEnvironment() throws Exception {
    Map<String, Object> p = Apps.props(Apps.config(dir), "dev", "jdbc:h2:mem:hux22b");
    try (Apps.Started s = Apps.startCapturing(p)) {
      assertThat(applied(s.context().getBean(DataSource.class))).containsExactly("1", "2");
      assertThat(s.output()).containsOnlyOnce(STAND_DOWN);
    }
  }

  @Test
  @DisplayName("no URL property: the embedded database Spring Boot builds is judged, and in memory")
  void embeddedWithoutUrl() throws Exception {
    try (Apps.Started s = Apps.startCapturing(noEnvironment(null))) {
      assertThat(applied(s.context().getBean(DataSource.class))).containsExactly("1", "2");
      assertThat(s.output()).contains(STAND_DOWN + " (jdbc:h2:mem:");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class SubstitutedDatabase {
    @Bean
    DataSource dataSource() {
      // what @AutoConfigureTestDatabase puts in place of the application's DataSource
      return new EmbeddedDatabaseBuilder()
          .generateUniqueName(true)
          .setType(EmbeddedDatabaseType.H2)
          .build();
    }
  }

  @Test
  @DisplayName(
      "a test's substituted embedded database (spring.test.database.replace): the DataSource"
          + " built is judged, not spring.datasource.url")
  void substitutedByTest() throws Exception {
    Map<String, Object> p = noEnvironment("jdbc:postgresql://127.0.0.1:5432/hux22_never");
    p.put("spring.test.database.replace", "any");
    try (Apps.Started s = Apps.startCapturing(p, BootApp.class, SubstitutedDatabase.class)) {
      assertThat(applied(s.context().getBean(DataSource.class))).containsExactly("1", "2");
      assertThat(s.output()).containsOnlyOnce(STAND_DOWN);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ServerPool {
    @Bean
    DataSource dataSource() {
      HikariDataSource ds = new HikariDataSource();
      ds.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/hux22_never");
      return ds;
    }
  }

  @Test
  @DisplayName(
      "the replacement property alone changes nothing: a server's DataSource, environment unset,"
          + " is refused before it connects")
  void replacementPropertyButServerDataSource() throws Exception {
    Map<String, Object> p = noEnvironment("jdbc:postgresql://127.0.0.1:5432/hux22_never");
    p.put("spring.test.database.replace", "any");
    Apps.Failure f = Apps.startFailing(p, BootApp.class, ServerPool.class);
    assertThat(f.output())
        .contains("prodguard: configuration error (key 'prodguard.environment')")
        .doesNotContain(STAND_DOWN);
  }

  @Test
  @DisplayName("jdbc:h2:file: is no in-memory database: refused, environment unset or set")
  void h2FileRefused() throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("hux22").toAbsolutePath();
    Apps.Failure unset = Apps.startFailing(noEnvironment(url));
    assertThat(unset.output())
        .contains("prodguard: configuration error (key 'prodguard.environment')")
        .doesNotContain(STAND_DOWN);

    Apps.Failure dev = Apps.startFailing(Apps.props(Apps.config(dir), "dev", url));
    assertThat(dev.output())
        .contains("spring.datasource.url is not a URL prodguard can vouch for")
        .doesNotContain(STAND_DOWN);
  }

  @Test
  @DisplayName("jdbc:h2:tcp: (a server) is refused as well")
  void h2ServerRefused() throws Exception {
    Apps.Failure f = Apps.startFailing(noEnvironment("jdbc:h2:tcp://127.0.0.1/mem:hux22"));
    assertThat(f.output())
        .contains("prodguard: configuration error (key 'prodguard.environment')")
        .doesNotContain(STAND_DOWN);
  }

  private static List<String> applied(DataSource ds) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"type\" = 'SQL'"
                    + " ORDER BY \"installed_rank\"")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
