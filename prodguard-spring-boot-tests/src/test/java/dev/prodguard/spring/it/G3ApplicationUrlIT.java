package dev.prodguard.spring.it;

import static dev.prodguard.spring.it.G2ApplicationFingerprintIT.cause;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.GuardRefusal;
import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * G3 in a real Spring Boot application: a URL that leads to another environment's database is
 * refused before the pool opens a socket. The "database" is a loopback listener that counts
 * connection attempts: zero for every refusal.
 */
@DisplayName("G3 early URL refusal: a Spring Boot application never opens a socket to another environment")
class G3ApplicationUrlIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"jdbc:postgresql", "jdbc:mariadb"})
  @DisplayName(
      "a production URL in development fails before the migration tool initialises: the dev"
          + " application's URL names a host of prod's host patterns, no connection attempted")
  void devUrlOnProdHost(String scheme) throws Exception {
    try (ConnectionRecorder server = new ConnectionRecorder()) {
      Map<String, Object> p =
          Apps.props(
              Apps.config(dir, "hosts: [\"localhost\"]"),
              "dev",
              scheme + "://localhost:" + server.port() + "/shop?user=app");

      Apps.Failure f = Apps.startFailing(p);

      GuardRefusal r = cause(f.error(), GuardRefusal.class);
      assertThat(r.guarantee().name()).isEqualTo("G3");
      assertThat(r.what()).contains("spring.datasource.url");
      assertThat(r.why()).contains("host pattern 'localhost' of environment 'prod'");
      assertThat(f.output()).contains("prodguard refused the start-up [G3 early URL refusal]");
      assertThat(server.connections()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdbc:postgresql", "jdbc:mariadb"})
  @DisplayName(
      "the dev application's URL leads to the same database as prod's URL (known in its"
          + " process): refused before a socket, also for Flyway's own spring.flyway.url")
  void sameDatabaseAsProd(String scheme) throws Exception {
    try (ConnectionRecorder server = new ConnectionRecorder()) {
      String prodUrl = scheme + "://127.0.0.1:" + server.port() + "/shop?user=deployer";
      for (String property : new String[] {"spring.datasource.url", "spring.flyway.url"}) {
        Map<String, Object> p =
            Apps.props(
                Apps.config(dir),
                "dev",
                scheme + "://127.0.0.1:" + (server.port() + 1) + "/devshop?user=app");
        p.put("PROD_DATABASE_URL", prodUrl);
        p.put(property, scheme + "://localhost:" + server.port() + "/shop?user=app");

        Apps.Failure f = Apps.startFailing(p);

        GuardRefusal r = cause(f.error(), GuardRefusal.class);
        assertThat(r.guarantee().name()).isEqualTo("G3");
        assertThat(r.what()).contains(property);
        assertThat(r.why()).contains("same database as the URL of 'prod'");
      }
      assertThat(server.connections()).isZero();
    }
  }
}
