package dev.prodguard.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * G2 in a real Spring Boot application: the dev application whose URL leads to the prod database
 * (the prod URL is not known in its process, so G3 cannot see it) is refused at start-up by the
 * fingerprint, before Flyway, Hibernate or the application send a statement: the server received
 * exactly one statement from it, prodguard's fingerprint query, and holds nothing it did not hold.
 */
@DisplayName("G2 environment fingerprint: a Spring Boot application on the wrong database")
class G2ApplicationFingerprintIT {
  @TempDir Path dir;

  @BeforeEach
  void reset() {
    RecordingDataSource.SQL.clear();
  }

  /** The application's own DataSource bean, recording what reaches the driver. */
  @Configuration(proxyBeanMethods = false)
  static class RecordingPool {
    @Bean(destroyMethod = "close")
    RecordingDataSource dataSource(Environment env) {
      return new RecordingDataSource(env.getProperty("test.url"));
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "the fingerprint check fails when the dev URL points to prod: start-up refused, one"
          + " statement (the fingerprint query) reached the server, nothing created")
  void devUrlPointsToProd(DatabaseKind kind) throws Exception {
    try (TestDatabase prod = TestDatabase.create(kind)) {
      Apps.fingerprint(prod, "prod");
      Map<String, Object> p = Apps.props(Apps.config(dir), "dev", null);
      p.put("test.url", prod.jdbcUrl());

      Apps.Failure f = Apps.startFailing(p, BootApp.class, RecordingPool.class);

      assertThat(cause(f.error(), GuardRefusal.class).guarantee().name()).isEqualTo("G2");
      assertThat(RecordingDataSource.SQL).hasSize(1);
      assertThat(RecordingDataSource.SQL.get(0)).contains("database_metadata");
      assertThat(Apps.tables(prod)).containsExactly("database_metadata");
      assertThat(f.output())
          .contains("APPLICATION FAILED TO START")
          .contains("prodguard refused the start-up [G2 environment fingerprint]")
          .contains("this database is 'prod', not 'dev'")
          .contains("Action:")
          .doesNotContain("\tat dev.prodguard");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "the fingerprint check fails when the prod URL points to dev: the prod application on the"
          + " dev database is refused, Spring Boot's own pool, nothing created")
  void prodUrlPointsToDev(DatabaseKind kind) throws Exception {
    try (TestDatabase dev = TestDatabase.create(kind)) {
      Apps.fingerprint(dev, "dev");
      Apps.Failure f = Apps.startFailing(Apps.props(Apps.config(dir), "prod", dev.jdbcUrl()));

      assertThat(cause(f.error(), GuardRefusal.class).why())
          .contains("this database is 'dev', not 'prod'");
      assertThat(Apps.tables(dev)).containsExactly("database_metadata");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "Flyway's own DataSource (spring.flyway.url, not a bean) on the prod database: guarded"
          + " too, refused before Flyway's first statement, no history table created")
  void flywayUrlPointsToProd(DatabaseKind kind) throws Exception {
    try (TestDatabase dev = TestDatabase.create(kind);
        TestDatabase prod = TestDatabase.create(kind)) {
      Apps.fingerprint(dev, "dev");
      Apps.fingerprint(prod, "prod");
      Map<String, Object> p = Apps.props(Apps.config(dir), "dev", dev.jdbcUrl());
      p.put("spring.flyway.url", prod.jdbcUrl());

      Apps.Failure f = Apps.startFailing(p);

      assertThat(cause(f.error(), GuardRefusal.class).why())
          .contains("this database is 'prod', not 'dev'");
      assertThat(Apps.tables(prod)).containsExactly("database_metadata");
      assertThat(Apps.tables(dev)).containsExactly("database_metadata");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "the fingerprint check fails when metadata is missing: a database never fingerprinted"
          + " refuses the start-up, nothing created")
  void missingMetadata(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Apps.Failure f = Apps.startFailing(Apps.props(Apps.config(dir), "dev", db.jdbcUrl()));

      assertThat(cause(f.error(), GuardRefusal.class).why()).contains("no database_metadata");
      assertThat(Apps.tables(db)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "a dev start-up on the dev database passes the fingerprint first, then migrates and runs"
          + " the application")
  void devOnDev(DatabaseKind kind) throws Exception {
    try (TestDatabase dev = TestDatabase.create(kind)) {
      Apps.fingerprint(dev, "dev");
      Map<String, Object> p = Apps.props(Apps.config(dir), "dev", null);
      p.put("test.url", dev.jdbcUrl());
      try (ConfigurableApplicationContext ctx =
          Apps.start(p, BootApp.class, RecordingPool.class)) {
        assertThat(ctx.getBean(DataSource.class).getClass().getSimpleName())
            .isEqualTo("GuardedDataSource");
        Object health = ctx.getBean("prodguardHealthIndicator");
        assertThat(status(health)).isEqualTo("UP");

        // the database stops being dev while the application runs: health goes down, though
        // the pool's connections were checked when they opened
        dev.execute("UPDATE database_metadata SET environment = 'prod', fingerprint = '"
            + Apps.PROD_FP + "'");
        assertThat(status(health)).isEqualTo("DOWN");
      }
      assertThat(RecordingDataSource.SQL.get(0)).contains("database_metadata");
      assertThat(Apps.applied(dev)).containsExactly("1", "2");
      assertThat(Apps.tables(dev)).contains("orders", "invoices", "app_started");
    }
  }

  private static Object status(Object healthIndicator) throws Exception {
    Object h = healthIndicator.getClass().getMethod("health").invoke(healthIndicator);
    Object st = h.getClass().getMethod("getStatus").invoke(h);
    return st.getClass().getMethod("getCode").invoke(st);
  }

  static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in the chain of " + e, e);
  }
}
