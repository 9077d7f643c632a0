package dev.prodguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.testing.Configs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipeline.lock-timeout}, {@code statement-timeout}, {@code lock-retries}: units, defaults.
 */
@DisplayName("Configuration: bounds on the deploy's migration sessions")
class MigrationSessionsConfigTest {
  @TempDir Path dir;

  private static final String ENVS = "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n";

  private ProdguardConfig.MigrationSessions load(String pipeline) {
    return Configs.load(dir, ENVS + pipeline).pipeline().sessions();
  }

  private ConfigException error(String pipeline) {
    return catchThrowableOfType(ConfigException.class, () -> load(pipeline));
  }

  @Test
  @DisplayName("default: no lock or statement timeout, so nothing is retried")
  void defaults() {
    ProdguardConfig.MigrationSessions s = load("");
    assertThat(s.lockTimeout()).isEmpty();
    assertThat(s.statementTimeout()).isEmpty();
    assertThat(s.retries()).isZero();
    assertThat(load("pipeline: { verification-ttl: 30m }\n").retries()).isZero();
  }

  @Test
  @DisplayName("ms, s and m; lock-retries defaults to 3 with a lock timeout")
  void units() {
    ProdguardConfig.MigrationSessions s =
        load("pipeline: { lock-timeout: 500ms, statement-timeout: 2m }\n");
    assertThat(s.lockTimeout()).contains(Duration.ofMillis(500));
    assertThat(s.statementTimeout()).contains(Duration.ofMinutes(2));
    assertThat(s.retries()).isEqualTo(3);
    assertThat(load("pipeline: { lock-timeout: 5s, lock-retries: 0 }\n").retries()).isZero();
    assertThat(load("pipeline: { statement-timeout: 1s }\n").lockTimeout())
        .isEqualTo(Optional.empty());
  }

  @Test
  @DisplayName("bad values are errors naming file, line and key (exit 2)")
  void errors() {
    ConfigException unit = error("pipeline:\n  lock-timeout: 5 seconds\n");
    assertThat(unit.key()).isEqualTo("pipeline.lock-timeout");
    assertThat(unit.line()).isEqualTo(5);
    assertThat(unit.getMessage()).contains("500ms, 5s or 2m");
    assertThat(error("pipeline: { lock-timeout: 0ms }\n")).hasMessageContaining("positive");
    assertThat(error("pipeline: { lock-timeout: 5s, lock-retries: 11 }\n"))
        .hasMessageContaining("between 0 and 10");
    assertThat(error("pipeline: { lock-retries: 2 }\n"))
        .hasMessageContaining("needs pipeline.lock-timeout");
    assertThat(error("pipeline: { lock-timeoutt: 5s }\n")).hasMessageContaining("lock-timeoutt");
  }
}
