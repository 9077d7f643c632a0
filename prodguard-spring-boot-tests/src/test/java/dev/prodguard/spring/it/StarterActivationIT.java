package dev.prodguard.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.testing.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootVersion;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * When the starter is active, what it refuses as configuration, what it brings onto the
 * application's class path, and which Spring Boot generation this module really runs.
 */
@DisplayName("Spring Boot starter: activation, configuration errors, class path")
class StarterActivationIT {
  @TempDir Path dir;

  @Test
  @DisplayName("this module runs the Spring Boot version it is named after, with Boot's Flyway")
  void bootGeneration() {
    String expected = System.getProperty("test.boot.version");
    assertThat(expected).isNotBlank();
    assertThat(SpringBootVersion.getVersion()).isEqualTo(expected);
    // the application's Flyway is the one its Boot version manages, not prodguard's own 13.x
    assertThat(Flyway.class.getProtectionDomain().getCodeSource().getLocation().toString())
        .contains("flyway-core-11.");
  }

  @Test
  @DisplayName("no prodguard.yml and no prodguard.* property: the starter stays out")
  void notConfigured() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      Map<String, Object> p = Apps.props(dir, "dev", db.jdbcUrl());
      p.remove("prodguard.config");
      p.remove("prodguard.environment");
      try (ConfigurableApplicationContext ctx = Apps.start(p)) {
        assertThat(ctx.containsBean("prodguardApplicationGuard")).isFalse();
        assertThat(ctx.getBean(DataSource.class).getClass().getSimpleName())
            .isNotEqualTo("GuardedDataSource");
      }
    }
  }

  @Test
  @DisplayName(
      "prodguard.environment unset: a configuration error naming the key and the environments,"
          + " one screen")
  void environmentUnset() throws Exception {
    Map<String, Object> p = Apps.props(Apps.config(dir), "dev", "jdbc:postgresql://127.0.0.1/x");
    p.remove("prodguard.environment");
    Apps.Failure f = Apps.startFailing(p);
    assertThat(f.output())
        .contains("APPLICATION FAILED TO START")
        .contains("prodguard: configuration error (key 'prodguard.environment')")
        .contains("defined: dev, prod")
        .doesNotContain("\tat dev.prodguard");
  }

  @Test
  @DisplayName(
      "a dev start-up logs no WARN that prodguard's beans are not processed by all"
          + " BeanPostProcessors (they are infrastructure beans)")
  void noBeanPostProcessorWarning() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      Apps.fingerprint(db, "dev");
      try (Apps.Started s = Apps.startCapturing(Apps.props(Apps.config(dir), "dev", db.jdbcUrl()))) {
        assertThat(s.context().containsBean("prodguardApplicationGuard")).isTrue();
        assertThat(s.output())
            .contains("Started")
            .doesNotContain("is not eligible for getting processed by all BeanPostProcessors");
      }
    }
  }

  @Test
  @DisplayName("an unknown environment and a malformed prodguard.yml name file, line and key")
  void badConfiguration() throws Exception {
    Apps.Failure f =
        Apps.startFailing(Apps.props(Apps.config(dir), "staging", "jdbc:postgresql://h/x"));
    assertThat(f.output()).contains("no environment 'staging'").contains("defined: dev, prod");

    java.nio.file.Files.writeString(
        dir.resolve("prodguard.yml"), "environments:\n  dev:\n    url: ${DEV_URL}\n    colour: red\n");
    Apps.Failure g = Apps.startFailing(Apps.props(dir, "dev", "jdbc:postgresql://h/x"));
    assertThat(g.output()).contains("prodguard.yml:").contains("colour");
  }

  @Test
  @DisplayName(
      "the starter brings prodguard's config loader but not its SQL parser, JWT or JSON"
          + " libraries onto the application's class path")
  void classPath() {
    assertThat(load("dev.prodguard.config.ConfigLoader")).isTrue();
    assertThat(load("org.snakeyaml.engine.v2.api.LoadSettings")).isTrue();
    assertThat(load("net.sf.jsqlparser.parser.CCJSqlParserUtil")).isFalse();
    assertThat(load("com.nimbusds.jwt.SignedJWT")).isFalse();
    assertThat(load("picocli.CommandLine")).isFalse();
    assertThatThrownBy(() -> Class.forName("dev.prodguard.flyway.FlywayMigrationEngine"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  private static boolean load(String name) {
    try {
      Class.forName(name, false, StarterActivationIT.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
