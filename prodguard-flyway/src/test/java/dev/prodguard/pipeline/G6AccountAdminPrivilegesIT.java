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
 * G6's role split against a url credential that cannot change the schema itself but can become an
 * account that can: on MariaDB the privileges that change accounts or privileges (CREATE USER,
 * writes on the grant tables, SET USER / SUPER for a routine with root as DEFINER), on PostgreSQL
 * with a deploy-url a url role that can make itself the owner (CREATEROLE, membership). Each was
 * certified "cannot change the schema" and let through before; real accounts on the real servers.
 */
@DisplayName("G6 role split: account-admin privileges and owner roles")
class G6AccountAdminPrivilegesIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G6: verify of a protected MariaDB refuses a url account holding CREATE USER (it could"
          + " reset the deploy account's password), naming the privilege and why; status shows it")
  void createUser() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      String app = "'" + f.appUser.orElseThrow() + "'@'%'";
      assertThat(f.pipeline().promote("prod").deploy()).isPresent();
      f.db.adminStatement("GRANT CREATE USER ON *.* TO " + app);
      GuardStatus status = f.pipeline().status("prod").guards();
      String why = refusal(f);
      f.db.adminStatement("REVOKE CREATE USER ON *.* FROM " + app);

      assertThat(why).contains("CREATE USER ON *.*: may change any account's password");
      assertThat(status.roleSplit().orElseThrow().credential().canChangeSchema()).isTrue();
      assertThat(status.problems()).anyMatch(l -> l.contains("CREATE USER ON *.*"));
      assertThat(f.pipeline().verify("prod").upToDate()).isTrue();
    }
  }

  @Test
  @DisplayName(
      "G6: verify of a protected MariaDB refuses a url account that may write the grant tables"
          + " (SELECT, UPDATE ON mysql.db with RELOAD: it could give itself DROP and FLUSH"
          + " PRIVILEGES), naming the grant")
  void grantTables() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      String app = "'" + f.appUser.orElseThrow() + "'@'%'";
      assertThat(f.pipeline().promote("prod").deploy()).isPresent();
      f.db.adminStatement("GRANT SELECT, UPDATE ON mysql.db TO " + app);
      f.db.adminStatement("GRANT RELOAD ON *.* TO " + app);
      String why = refusal(f);
      f.db.adminStatement("REVOKE SELECT, UPDATE ON mysql.db FROM " + app);

      assertThat(why).contains("UPDATE ON `mysql`.`db`: writes the server's grant tables");
      assertThat(why).doesNotContain("RELOAD");
      assertThat(f.pipeline().verify("prod").upToDate()).isTrue();
    }
  }

  @Test
  @DisplayName(
      "G6: verify of a protected MariaDB refuses a url account holding SET USER or SUPER (with"
          + " CREATE ROUTINE on another database it could create a routine with root as DEFINER"
          + " and drop a protected table through it)")
  void definerImpersonation() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.MARIADB, dir)) {
      String app = "'" + f.appUser.orElseThrow() + "'@'%'";
      String other = f.db.name() + "_x";
      assertThat(f.pipeline().promote("prod").deploy()).isPresent();
      f.db.adminStatement("CREATE DATABASE " + other);
      try {
        f.db.adminStatement("GRANT CREATE ROUTINE, ALTER ROUTINE ON " + other + ".* TO " + app);
        f.db.adminStatement("GRANT SET USER ON *.* TO " + app);
        String setUser = refusal(f);
        f.db.adminStatement("REVOKE SET USER ON *.* FROM " + app);
        f.db.adminStatement("GRANT SUPER ON *.* TO " + app);
        String superPriv = refusal(f);
        f.db.adminStatement("REVOKE SUPER ON *.* FROM " + app);

        assertThat(setUser).contains("SET USER ON *.*: ", "DEFINER");
        assertThat(superPriv).contains("SUPER ON *.*: ", "DEFINER");
        // CREATE ROUTINE on another database alone stays harmless
        assertThat(f.pipeline().verify("prod").upToDate()).isTrue();
      } finally {
        f.db.adminStatement("DROP DATABASE IF EXISTS " + other);
      }
    }
  }

  @Test
  @DisplayName(
      "G6: verify of a protected PostgreSQL with a deploy-url refuses while the url role holds"
          + " CREATEROLE (PostgreSQL 15: it may grant itself the owner role), is a member of the"
          + " database's owner or holds ADMIN OPTION on a role leading to it; status shows it; a"
          + " plain application role passes")
  void postgresUrlRoleThatCanBecomeTheOwner() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      Path yml = f.dir.resolve("prodguard.yml");
      Files.writeString(
          yml,
          Files.readString(yml)
              .replace(
                  "    url: ${PROD_DATABASE_URL}\n",
                  "    url: ${PROD_DATABASE_URL}\n    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n"));
      String owner = f.db.createOwnerRole();
      String app = f.db.createLoginRole();
      f.db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + app);
      Map<String, String> env = f.ciEnv();
      env.put("PROD_DATABASE_URL", f.db.libpqUrl(app));
      env.put("PROD_DEPLOY_DATABASE_URL", f.db.libpqUrl()); // the server's administrator
      Pipeline p =
          new Pipeline(
              f.config(),
              new RunContext(env, Clock.systemUTC(), "runner", "ci-host"),
              new FlywayMigrationEngine());

      f.db.execute("ALTER ROLE " + app + " CREATEROLE");
      GuardRefusal createRole = catchThrowableOfType(GuardRefusal.class, () -> p.verify("prod"));
      GuardStatus status = p.status("prod").guards();
      f.db.execute("ALTER ROLE " + app + " NOCREATEROLE", "GRANT " + owner + " TO " + app);
      GuardRefusal member = catchThrowableOfType(GuardRefusal.class, () -> p.verify("prod"));
      f.db.execute("REVOKE " + owner + " FROM " + app);
      // ADMIN OPTION on a role that leads to the owner (PostgreSQL 15 adds membership with it)
      String lead = f.db.createLoginRole();
      f.db.execute(
          "GRANT " + owner + " TO " + lead, "GRANT " + lead + " TO " + app + " WITH ADMIN OPTION");
      GuardRefusal admin = catchThrowableOfType(GuardRefusal.class, () -> p.verify("prod"));
      f.db.execute("REVOKE " + lead + " FROM " + app);
      GuardStatus clean = p.status("prod").guards();

      assertThat(createRole).as("CREATEROLE must refuse").isNotNull();
      assertThat(createRole.guarantee()).isEqualTo(Guarantee.G6);
      assertThat(createRole.why())
          .contains(app, "can make itself an owner", "CREATEROLE on PostgreSQL", owner);
      assertThat(createRole.fix()).contains("NOCREATEROLE");
      assertThat(status.roleSplit().orElseThrow().credential().canChangeSchema()).isTrue();
      assertThat(status.problems())
          .anyMatch(l -> l.contains("can make itself an owner") && l.contains("CREATEROLE"));
      assertThat(member).as("membership in the owner must refuse").isNotNull();
      assertThat(member.guarantee()).isEqualTo(Guarantee.G6);
      assertThat(member.why())
          .contains("member of " + owner + " (the owner of database " + f.db.name());
      assertThat(admin).as("ADMIN OPTION on a role leading to the owner must refuse").isNotNull();
      assertThat(admin.why()).contains("ADMIN OPTION on " + lead + ", which leads to " + owner);
      assertThat(clean.roleSplit().orElseThrow().credential().canChangeSchema()).isFalse();
      assertThat(clean.problems()).noneMatch(l -> l.contains("owner"));
    }
  }

  /** verify's G6 refusal for the fixture's url account; returns its why. */
  private static String refusal(PipelineFixture f) {
    GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));
    assertThat(r).as("verify must refuse").isNotNull();
    assertThat(r.guarantee()).isEqualTo(Guarantee.G6);
    assertThat(r.why()).contains("can change the schema", f.appUser.orElseThrow());
    return r.why();
  }
}
