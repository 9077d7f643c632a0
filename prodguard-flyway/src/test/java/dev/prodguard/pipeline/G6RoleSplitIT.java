package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.guard.GuardStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G6 on MariaDB, which has no DDL triggers: only privileges stop a schema change made by hand, so
 * deploys get a credential of their own ({@code deploy-url}) and the environment's {@code url}
 * credential must not be able to change the schema. verify refuses otherwise; status shows it. Real
 * accounts and roles on the real server, created for each test and dropped after it.
 */
@DisplayName("G6 role split on MariaDB")
class G6RoleSplitIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G6: verify of a protected MariaDB refuses without a deploy-url (deploys and applications"
          + " would share one credential); status reports it")
  void withoutDeployUrl() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      Path yml = f.dir.resolve("prodguard.yml");
      Files.writeString(
          yml, Files.readString(yml).replace("    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n", ""));
      Map<String, String> env = f.ciEnv();
      env.put("PROD_DATABASE_URL", f.db.libpqUrl()); // the one credential, able to do anything
      Pipeline p = pipeline(f, env);

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> p.verify("prod"));
      GuardStatus status = p.status("prod").guards();

      assertThat(r.guarantee()).isEqualTo(Guarantee.G6);
      assertThat(r.why()).contains("MySQL/MariaDB", "no DDL triggers", "no deploy-url");
      assertThat(r.fix()).contains("deploy-url: ${PROD_DEPLOY_DATABASE_URL}");
      assertThat(status.roleSplit().orElseThrow().deployUrl()).isFalse();
      assertThat(status.roleSplit().orElseThrow().credential().canChangeSchema()).isTrue();
      assertThat(status.problems()).anyMatch(l -> l.startsWith("no role split"));
      assertThat(f.query("SELECT COUNT(*) FROM prodguard_run")).contains("0");
    }
  }

  @Test
  @DisplayName(
      "G6: verify of a protected MariaDB refuses while the url's credential can change the"
          + " schema, granted at global, database (name pattern), table or routine level or"
          + " through a nested role; status names each grant; without them verify passes")
  void credentialThatCanChangeTheSchema() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      String app = "'" + f.appUser.orElseThrow() + "'@'%'";
      String db = f.db.name();
      assertThat(f.pipeline().promote("prod").deploy()).isPresent();
      GuardStatus clean = f.pipeline().status("prod").guards();

      String global =
          refusal(f, "GRANT CREATE ON *.* TO " + app, "REVOKE CREATE ON *.* FROM " + app);
      String database =
          refusal(
              f,
              "GRANT ALTER ON " + db + ".* TO " + app,
              "REVOKE ALTER ON " + db + ".* FROM " + app);
      String pattern =
          refusal(
              f,
              "GRANT INDEX ON `" + db.substring(0, 6) + "%`.* TO " + app,
              "REVOKE INDEX ON `" + db.substring(0, 6) + "%`.* FROM " + app);
      String table =
          refusal(
              f,
              "GRANT DROP ON " + db + ".items TO " + app,
              "REVOKE DROP ON " + db + ".items FROM " + app);
      String routine =
          refusal(
              f,
              "GRANT ALTER ROUTINE ON PROCEDURE " + db + ".prodguard_assert_deploy TO " + app,
              "REVOKE ALTER ROUTINE ON PROCEDURE " + db + ".prodguard_assert_deploy FROM " + app);
      String outer = f.db.createRole("");
      String inner = f.db.createRole("DROP");
      f.db.adminStatement("GRANT " + inner + " TO " + outer);
      GuardStatus viaRole;
      String nested;
      f.db.adminStatement("GRANT " + outer + " TO " + app);
      try {
        viaRole = f.pipeline().status("prod").guards();
        nested = refusal(f);
      } finally {
        f.db.adminStatement("REVOKE " + outer + " FROM " + app);
      }
      Results.Verify passes = f.pipeline().verify("prod");

      assertThat(clean.roleSplit().orElseThrow().deployUrl()).isTrue();
      assertThat(clean.roleSplit().orElseThrow().credential().canChangeSchema()).isFalse();
      assertThat(clean.problems()).isEmpty();
      assertThat(global).contains("CREATE ON *.*");
      assertThat(database).contains("ALTER ON `" + db + "`.*");
      assertThat(pattern).contains("INDEX ON `" + db.substring(0, 6) + "%`.*");
      assertThat(table).contains("DROP ON `" + db + "`.`items`");
      assertThat(routine)
          .contains("ALTER ROUTINE ON PROCEDURE `" + db + "`.`prodguard_assert_deploy`");
      assertThat(nested).contains("DROP ON `" + db + "`.* (via role " + outer + ")");
      assertThat(viaRole.roleSplit().orElseThrow().credential().schemaChanging())
          .containsExactly("DROP ON `" + db + "`.* (via role " + outer + ")");
      assertThat(viaRole.problems())
          .anyMatch(l -> l.contains("can change the schema") && l.contains(f.appUser.get()));
      assertThat(passes.upToDate()).isTrue();
    }
  }

  @Test
  @DisplayName(
      "G6: verify of a protected MariaDB refuses while the url's credential can write prodguard's"
          + " tables or the history table (INSERT, UPDATE or DELETE on the database, on"
          + " prodguard_guard_config, on flyway_schema_history, or through a role); writes on the"
          + " application's own tables pass")
  void credentialThatCanWriteProdguardTables() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      String app = "'" + f.appUser.orElseThrow() + "'@'%'";
      String db = f.db.name();
      assertThat(f.pipeline().promote("prod").deploy()).isPresent();

      String database =
          writeRefusal(
              f,
              "GRANT INSERT, UPDATE, DELETE ON " + db + ".* TO " + app,
              "REVOKE INSERT, UPDATE, DELETE ON " + db + ".* FROM " + app);
      String config =
          writeRefusal(
              f,
              "GRANT UPDATE ON " + db + ".prodguard_guard_config TO " + app,
              "REVOKE UPDATE ON " + db + ".prodguard_guard_config FROM " + app);
      String history =
          writeRefusal(
              f,
              "GRANT DELETE ON " + db + ".flyway_schema_history TO " + app,
              "REVOKE DELETE ON " + db + ".flyway_schema_history FROM " + app);
      String role = f.db.createRole("INSERT");
      f.db.adminStatement("GRANT " + role + " TO " + app);
      String viaRole;
      try {
        viaRole = writeRefusal(f);
      } finally {
        f.db.adminStatement("REVOKE " + role + " FROM " + app);
      }
      f.db.adminStatement("GRANT SELECT, INSERT, UPDATE, DELETE ON " + db + ".items TO " + app);
      Results.Verify passes = f.pipeline().verify("prod");
      GuardStatus status = f.pipeline().status("prod").guards();

      assertThat(database).contains("INSERT, UPDATE, DELETE ON `" + db + "`.*");
      assertThat(config).contains("UPDATE ON `" + db + "`.`prodguard_guard_config`");
      assertThat(history).contains("DELETE ON `" + db + "`.`flyway_schema_history`");
      assertThat(viaRole).contains("INSERT ON `" + db + "`.* (via role " + role + ")");
      assertThat(passes.upToDate()).isTrue();
      assertThat(status.roleSplit().orElseThrow().credential().canWriteGuarded()).isFalse();
      assertThat(status.problems()).isEmpty();
    }
  }

  @Test
  @DisplayName(
      "G6: verify of a protected MariaDB refuses while another account with the url's user name"
          + " at another host ('app'@'localhost' beside 'app'@'%') can change the schema or write"
          + " the history table, directly or through a role; a deploy credential that cannot read"
          + " the accounts' grants is refused, naming the grant that makes them readable")
  void namesakeAtAnotherHost() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      String user = f.appUser.orElseThrow();
      String db = f.db.name();
      assertThat(f.pipeline().promote("prod").deploy()).isPresent();
      String local = "'" + user + "'@'localhost'";
      f.db.adminStatement("CREATE USER " + local);
      try {
        f.db.adminStatement("GRANT ALTER ON " + db + ".* TO " + local);
        GuardRefusal direct =
            catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
        assertThat(direct).as("the namesake's ALTER must be seen").isNotNull();
        assertThat(direct.guarantee()).isEqualTo(Guarantee.G6);
        assertThat(direct.why())
            .contains(local, "can change the schema", "ALTER ON `" + db + "`.*", "another host");
        f.db.adminStatement("REVOKE ALTER ON " + db + ".* FROM " + local);

        f.db.adminStatement("GRANT DELETE ON " + db + ".flyway_schema_history TO " + local);
        GuardRefusal history =
            catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
        assertThat(history).as("the namesake's DELETE on the history must be seen").isNotNull();
        assertThat(history.why()).contains(local, "DELETE ON `" + db + "`.`flyway_schema_history`");
        f.db.adminStatement("REVOKE DELETE ON " + db + ".flyway_schema_history FROM " + local);

        String outer = f.db.createRole("");
        String inner = f.db.createRole("DROP");
        f.db.adminStatement("GRANT " + inner + " TO " + outer);
        f.db.adminStatement("GRANT " + outer + " TO " + local);
        GuardRefusal viaRole =
            catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
        assertThat(viaRole).as("the namesake's nested role must be seen").isNotNull();
        assertThat(viaRole.why()).contains(local, "DROP ON `" + db + "`.*");

        // a deploy account that cannot read other accounts' grants: fail closed
        String deployer = f.db.createUser("ALL PRIVILEGES");
        java.util.Map<String, String> env = f.ciEnv();
        env.put(f.deployUrlVariable(), f.db.libpqUrl(deployer));
        Pipeline asDeployer =
            f.pipeline(new RunContext(env, Clock.systemUTC(), "runner", "ci-host"));
        GuardRefusal unreadable =
            catchThrowableOfType(GuardRefusal.class, () -> asDeployer.verify("prod"));
        assertThat(unreadable).as("unreadable grants must refuse").isNotNull();
        assertThat(unreadable.guarantee()).isEqualTo(Guarantee.G6);
        assertThat(unreadable.fix()).contains("GRANT SELECT ON mysql.* TO '" + deployer + "'@");

        f.db.adminStatement("REVOKE " + outer + " FROM " + local);
        assertThat(f.pipeline().verify("prod").upToDate()).isTrue();
      } finally {
        f.db.adminStatement("DROP USER IF EXISTS " + local);
      }
    }
  }

  /** verify's G6 refusal for a credential that can write prodguard's tables; returns its why. */
  private static String writeRefusal(PipelineFixture f, String grant, String revoke) {
    f.db.adminStatement(grant);
    try {
      return writeRefusal(f);
    } finally {
      f.db.adminStatement(revoke);
    }
  }

  private static String writeRefusal(PipelineFixture f) {
    GuardStatus status;
    try {
      status = f.pipeline().status("prod").guards();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    assertThat(status.problems())
        .anyMatch(l -> l.contains("can write prodguard's tables") && l.contains(f.appUser.get()));
    GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
    assertThat(r).as("verify must refuse").isNotNull();
    assertThat(r.guarantee()).isEqualTo(Guarantee.G6);
    assertThat(r.why())
        .contains("can write prodguard's tables or the migration history table", f.appUser.get());
    assertThat(r.fix()).contains("table by table");
    return r.why();
  }

  /** verify's G6 refusal while {@code grant} holds, undone by {@code revoke}; returns its why. */
  private static String refusal(PipelineFixture f, String grant, String revoke) {
    f.db.adminStatement(grant);
    try {
      return refusal(f);
    } finally {
      f.db.adminStatement(revoke);
    }
  }

  private static String refusal(PipelineFixture f) {
    GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
    assertThat(r).as("verify must refuse").isNotNull();
    assertThat(r.guarantee()).isEqualTo(Guarantee.G6);
    assertThat(r.why()).contains("can change the schema", f.appUser.orElseThrow());
    assertThat(r.fix()).contains("only the deploy-url's user may change the schema");
    return r.why();
  }

  private static Pipeline pipeline(PipelineFixture f, Map<String, String> env) {
    return new Pipeline(
        f.config(),
        new RunContext(env, Clock.systemUTC(), "runner", "ci-host"),
        new FlywayMigrationEngine());
  }
}
