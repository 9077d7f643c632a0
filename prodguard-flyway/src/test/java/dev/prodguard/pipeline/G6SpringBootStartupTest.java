package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.flyway.CallbackFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * G6 with a real Spring Boot application (4.0, {@code spring.flyway} auto-configuration, HikariCP,
 * the project's Flyway 13) whose start-up runs Flyway's migrate against a protected database, over
 * the environment's own credential and the repository's migration folder, callback included: with
 * nothing pending it starts and changes nothing; with a migration pending its start-up fails inside
 * the database.
 */
@DisplayName("G6 Spring Boot start-up against a protected database")
class G6SpringBootStartupTest {
  @TempDir Path dir;

  /** The smallest application: Spring Boot's auto-configuration, nothing of its own. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: a Spring Boot application with spring.flyway and nothing pending starts against the"
          + " protected database; with a migration pending its start-up is refused, changing"
          + " nothing")
  void startUp(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      assertThat(Files.exists(f.migrations.resolve(CallbackFile.NAME))).isTrue();
      String before = G6HandRunFlywayTest.state(f);

      boolean running;
      try (ConfigurableApplicationContext app = start(f)) {
        running = app.isRunning();
        assertThat(app.getBean(Flyway.class).info().pending()).isEmpty();
      }
      String afterStart = G6HandRunFlywayTest.state(f);
      f.migration("V2__at_start_up.sql", "INSERT INTO items VALUES (9, 'nine');\n");
      Throwable pending = catchThrowable(() -> start(f).close());

      assertThat(flywayVersion()).isEqualTo("13.12.0");
      assertThat(running).isTrue();
      assertThat(afterStart).isEqualTo(before);
      assertThat(pending).hasStackTraceContaining(G6DirectMigrationTest.BLOCKED);
      assertThat(G6HandRunFlywayTest.state(f)).isEqualTo(before);
    }
  }

  private static ConfigurableApplicationContext start(PipelineFixture f) {
    return new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .logStartupInfo(false)
        .properties(
            "spring.main.banner-mode=off",
            "spring.datasource.url=" + f.appJdbcUrl(),
            "spring.datasource.hikari.maximum-pool-size=2",
            "spring.flyway.enabled=true",
            "spring.flyway.locations=filesystem:" + f.migrations)
        .run();
  }

  /** The Flyway on this classpath, the one Spring Boot runs: the project's own. */
  private static String flywayVersion() throws IOException {
    try (InputStream in =
        Flyway.class.getResourceAsStream("/org/flywaydb/core/internal/version.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }
}
