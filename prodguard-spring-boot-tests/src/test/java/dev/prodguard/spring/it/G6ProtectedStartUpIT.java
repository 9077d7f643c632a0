package dev.prodguard.spring.it;

import static dev.prodguard.spring.it.G2ApplicationFingerprintIT.cause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.testing.TestDatabase;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * G6 at the start-up of a protected environment: the production application is entitled to its
 * database without CI, but its start-up never migrates. Pending migrations refuse it with nothing
 * applied; schema generation by Hibernate refuses it before any connection; with nothing pending it
 * starts, clean stays disabled whatever the properties say, and health and info report it.
 */
@DisplayName("G6 direct migration blocked: the start-up of a protected Spring Boot application")
class G6ProtectedStartUpIT {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "direct migrate fails: pending migrations on a protected environment refuse the start-up,"
          + " naming the versions and the CI path, with nothing applied")
  void pendingRefuses(DatabaseKind kind) throws Exception {
    try (TestDatabase prod = TestDatabase.create(kind)) {
      Apps.fingerprint(prod, "prod");
      Apps.Failure f = Apps.startFailing(Apps.props(Apps.config(dir), "prod", prod.jdbcUrl()));

      GuardRefusal r = cause(f.error(), GuardRefusal.class);
      assertThat(r.guarantee().name()).isEqualTo("G6");
      assertThat(r.why()).contains("2 migrations are pending in 'prod': 1 (create orders), 2");
      assertThat(r.fix()).contains("prodguard promote prod");
      assertThat(f.output())
          .contains("prodguard refused the start-up [G6 direct migration blocked]")
          .contains("prodguard promote prod");
      assertThat(Apps.tables(prod)).containsExactly("database_metadata");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: an application whose spring.flyway.table is not prodguard.yml's migrations.table is"
          + " refused at start-up naming both keys, with nothing applied (issue 14, item 28)")
  void otherHistoryTableRefuses(DatabaseKind kind) throws Exception {
    try (TestDatabase prod = TestDatabase.create(kind)) {
      Apps.fingerprint(prod, "prod");
      Map<String, Object> props =
          new java.util.HashMap<>(Apps.props(Apps.config(dir), "prod", prod.jdbcUrl()));
      props.put("spring.flyway.table", "schema_version");
      Apps.Failure f = Apps.startFailing(props);

      GuardRefusal r = cause(f.error(), GuardRefusal.class);
      assertThat(r.guarantee().name()).isEqualTo("G6");
      assertThat(r.why())
          .contains("'schema_version' (spring.flyway.table)", "'flyway_schema_history'");
      assertThat(r.fix()).contains("migrations.table: schema_version");
      assertThat(Apps.tables(prod)).containsExactly("database_metadata");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "direct migrate fails without deployment approval: V1 deployed by the pipeline, V2 pending:"
          + " refused naming 2 only, V2 not applied")
  void onePendingRefuses(DatabaseKind kind) throws Exception {
    try (TestDatabase prod = TestDatabase.create(kind)) {
      Apps.fingerprint(prod, "prod");
      Apps.migrateAsPipeline(prod, "1");
      Apps.Failure f = Apps.startFailing(Apps.props(Apps.config(dir), "prod", prod.jdbcUrl()));

      assertThat(cause(f.error(), GuardRefusal.class).why())
          .contains("1 migration is pending in 'prod': 2 (create invoices)");
      assertThat(Apps.applied(prod)).containsExactly("1");
      assertThat(Apps.tables(prod)).doesNotContain("invoices", "app_started");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "the protected start-up's pending check runs none of the application's callbacks: a"
          + " beforeInfo.sql DELETE in its locations changes nothing (it ran at every start)")
  void pendingCheckRunsNoCallbacks(DatabaseKind kind) throws Exception {
    try (TestDatabase prod = TestDatabase.create(kind)) {
      Apps.fingerprint(prod, "prod");
      Apps.migrateAsPipeline(prod, "2");
      prod.execute("INSERT INTO orders (id, item) VALUES (1, 'keep me')");
      java.nio.file.Path cb = java.nio.file.Files.createDirectories(dir.resolve("cb"));
      java.nio.file.Files.writeString(cb.resolve("beforeInfo.sql"), "DELETE FROM orders WHERE id > 0;\n");
      Map<String, Object> p = Apps.props(Apps.config(dir), "prod", prod.jdbcUrl());
      p.put("spring.flyway.locations", Apps.APP_MIGRATIONS + ",filesystem:" + cb);
      try (ConfigurableApplicationContext ctx = Apps.start(p)) {
        assertThat(ctx.isActive()).isTrue();
      }
      try (java.sql.Connection c = prod.connect();
          java.sql.Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM orders")) {
        rs.next();
        assertThat(rs.getInt(1)).as("orders rows after a protected start-up").isEqualTo(1);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "nothing pending: the protected application starts without CI, clean is forced off,"
          + " health and info show environment, fingerprint, pending and guards")
  void deployedStarts(DatabaseKind kind) throws Exception {
    try (TestDatabase prod = TestDatabase.create(kind)) {
      Apps.fingerprint(prod, "prod");
      Apps.migrateAsPipeline(prod, "2");
      Map<String, Object> p = Apps.props(Apps.config(dir), "prod", prod.jdbcUrl());
      p.put("spring.flyway.clean-disabled", "false");
      p.put("spring.jpa.hibernate.ddl-auto", "validate");
      try (ConfigurableApplicationContext ctx = Apps.start(p)) {
        Flyway flyway = ctx.getBean(Flyway.class);
        assertThat(flyway.getConfiguration().isCleanDisabled()).isTrue();
        assertThatThrownBy(flyway::clean).hasMessageContaining("clean");

        Object health = ctx.getBean("prodguardHealthIndicator");
        Object h = call(health, "health");
        assertThat(call(call(h, "getStatus"), "getCode")).isEqualTo("UP");
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) call(h, "getDetails");
        assertThat(details)
            .containsEntry("environment", "prod")
            .containsEntry("protected", true)
            .containsEntry("fingerprint", "ok")
            .containsEntry("pendingMigrations", 0)
            .containsKey("lastDeployRun")
            .containsKey("databaseGuards")
            .containsKey("guardedDataSources");

        Info.Builder builder = new Info.Builder();
        ctx.getBean("prodguardInfoContributor", InfoContributor.class).contribute(builder);
        Map<String, Object> info = builder.build().getDetails();
        assertThat(info).containsKey("prodguard");
        assertThat(info.get("prodguard").toString()).contains("environment=prod", "fingerprint=ok");
      }
      assertThat(Apps.applied(prod)).containsExactly("1", "2");
      assertThat(Apps.tables(prod)).contains("orders", "invoices", "app_started");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "ddl-auto=create-drop on a protected environment refuses the start-up before any"
          + " connection; nothing created")
  void createDropRefuses(DatabaseKind kind) throws Exception {
    try (TestDatabase prod = TestDatabase.create(kind)) {
      Apps.fingerprint(prod, "prod");
      Apps.migrateAsPipeline(prod, "2");
      Map<String, Object> p = Apps.props(Apps.config(dir), "prod", prod.jdbcUrl());
      p.put("spring.jpa.hibernate.ddl-auto", "create-drop");

      Apps.Failure f = Apps.startFailing(p);

      GuardRefusal r = cause(f.error(), GuardRefusal.class);
      assertThat(r.guarantee().name()).isEqualTo("G6");
      assertThat(r.why()).contains("spring.jpa.hibernate.ddl-auto=create-drop");
      assertThat(f.output()).contains("spring.jpa.hibernate.ddl-auto=validate");
      assertThat(Apps.tables(prod))
          .containsExactlyInAnyOrder("database_metadata", "flyway_schema_history", "orders", "invoices");
    }
  }

  private static Object call(Object target, String method) throws Exception {
    Method m = target.getClass().getMethod(method);
    m.setAccessible(true);
    return m.invoke(target);
  }
}
