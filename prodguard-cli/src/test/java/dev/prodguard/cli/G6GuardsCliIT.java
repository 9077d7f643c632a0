package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** G6 through the real jar: what init-fingerprint installs and says, what status and check show. */
@DisplayName("CLI end to end: G6 database-side guards")
class G6GuardsCliIT {
  @TempDir Path dir;

  private static Map<String, String> ci(String url) {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put("PROD_DATABASE_URL", url);
    env.put("GITHUB_ACTOR", "ci-bot");
    return env;
  }

  /** CI's variables; a MariaDB gets G6's role split (an application url, deploy-url). */
  private static Map<String, String> ci(TestDatabase db) {
    if (db.kind() == DatabaseKind.POSTGRESQL) {
      return ci(db.libpqUrl());
    }
    Map<String, String> env = ci(db.libpqUrl(db.createUser("SELECT, EXECUTE")));
    env.put("PROD_DEPLOY_DATABASE_URL", db.libpqUrl());
    return env;
  }

  private void repository(String extra, Map<String, String> env) throws Exception {
    repository(
        (env.containsKey("PROD_DEPLOY_DATABASE_URL")
                ? "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n"
                : "")
            + "    protected: true\n",
        extra);
  }

  private void repository(String extra) throws Exception {
    repository("    protected: true\n", extra);
  }

  private void repository(String environment, String extra) throws Exception {
    Files.writeString(
        dir.resolve("prodguard.yml"),
        "environments:\n"
            + "  prod:\n"
            + "    url: ${PROD_DATABASE_URL}\n"
            + environment
            + "backup: { directory: backups }\n"
            + extra);
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(
        dir.resolve("db/migration/V1__items.sql"), "CREATE TABLE items (id INT PRIMARY KEY);\n");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: init-fingerprint writes beforeEachMigrate.sql and installs the guards; status and check"
          + " report the callback missing or modified; verify refuses until it is written back")
  void callbackLifecycle(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Map<String, String> env = ci(db);
      repository("", env);

      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();
      assertThat(init.out())
          .contains("prodguard_assert_deploy() installed", "records 'prod' as protected")
          .contains("callback:  wrote db/migration/beforeEachMigrate.sql; review and commit it")
          .contains(
              kind == DatabaseKind.POSTGRESQL
                  ? "ddl guard: installed (event trigger prodguard_ddl_guard)"
                  : "ddl guard: not available: MySQL/MariaDB have no event triggers");
      assertThat(Files.readString(dir.resolve("db/migration/beforeEachMigrate.sql")))
          .contains(
              kind == DatabaseKind.POSTGRESQL
                  ? "PERFORM prodguard_assert_deploy();"
                  : "'CALL prodguard_assert_deploy()'");

      Cli.Result status = Cli.run(dir, env, "status", "prod");
      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(status.out())
          .contains("callback:  db/migration/beforeEachMigrate.sql (ok)")
          .contains("assert:    prodguard_assert_deploy() installed")
          .contains("database:  protected")
          .contains(
              kind == DatabaseKind.POSTGRESQL
                  ? "ddl guard: installed"
                  : "ddl guard: not available on MySQL/MariaDB")
          .doesNotContain("! ");

      Files.writeString(dir.resolve("db/migration/beforeEachMigrate.sql"), "SELECT 1;\n");
      Cli.Result checkModified = Cli.run(dir, env, "check", "prod");
      Cli.Result statusModified = Cli.run(dir, env, "status", "prod");
      Cli.Result verifyModified = Cli.run(dir, env, "verify", "prod");
      Files.delete(dir.resolve("db/migration/beforeEachMigrate.sql"));
      Cli.Result checkMissing = Cli.run(dir, env, "check", "prod", "--format", "json");
      Cli.Result verifyMissing = Cli.run(dir, env, "verify", "prod");

      assertThat(checkModified.exit()).as(checkModified.all()).isZero();
      assertThat(checkModified.out())
          .contains("callback:  db/migration/beforeEachMigrate.sql MODIFIED")
          .contains("! the Flyway callback db/migration/beforeEachMigrate.sql is modified");
      assertThat(statusModified.out()).contains("db/migration/beforeEachMigrate.sql MODIFIED");
      assertThat(verifyModified.exit()).as(verifyModified.all()).isEqualTo(1);
      assertThat(verifyModified.err())
          .contains("G6", "beforeEachMigrate.sql is modified", "prodguard init-fingerprint prod");
      assertThat(checkMissing.exit()).as(checkMissing.all()).isZero();
      assertThat(checkMissing.out()).contains("\"state\" : \"missing\"");
      assertThat(verifyMissing.exit()).isEqualTo(1);
      assertThat(verifyMissing.err()).contains("beforeEachMigrate.sql is missing");

      Cli.Result rewrite = Cli.run(dir, env, "init-fingerprint", "prod");
      assertThat(rewrite.exit()).as(rewrite.all()).isZero();
      assertThat(rewrite.out()).contains("callback:  wrote db/migration/beforeEachMigrate.sql");
      Cli.Result promote = Cli.run(dir, env, "promote", "prod");
      assertThat(promote.exit()).as(promote.all()).isZero();
      Cli.Result deployed = Cli.run(dir, env, "status", "prod");
      assertThat(deployed.out())
          .contains("history:   flyway_schema_history present, guard installed")
          .doesNotContain("! ");
      if (kind == DatabaseKind.MARIADB) {
        assertThat(deployed.out())
            .containsPattern("role split: deploy-url set; '[^']+'@'%' cannot");
      }
    }
  }

  /** Exactly what prodguard wrote as beforeMigrate.sql before beforeEachMigrate.sql. */
  private static String oldCallback(DatabaseKind kind) {
    return "-- prodguard G6: direct migration blocked. DO NOT DELETE OR EDIT THIS FILE.\n"
        + "--\n"
        + "-- Flyway runs beforeMigrate.sql before every migrate: the Flyway CLI, the Maven and\n"
        + "-- Gradle plugins, Spring Boot's start-up migration, any Flyway API call. On a protected\n"
        + "-- environment prodguard_assert_deploy() fails unless this connection was handed to\n"
        + "-- Flyway by 'prodguard deploy' for a running, approved deploy, so a migration run by\n"
        + "-- hand fails inside the database. Written by 'prodguard init-fingerprint'; 'prodguard\n"
        + "-- status', 'check' and 'scan' report it missing or modified. Put callbacks of your own\n"
        + "-- in beforeMigrate__<description>.sql.\n"
        + (kind == DatabaseKind.POSTGRESQL
            ? "SELECT prodguard_assert_deploy();\n"
            : "CALL prodguard_assert_deploy();\n");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G6: a repository of an older prodguard (beforeMigrate.sql): status, check and scan report it"
          + " stale; init-fingerprint removes it and writes beforeEachMigrate.sql")
  void legacyCallback(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Map<String, String> env = ci(db);
      repository("", env);
      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();
      Files.delete(dir.resolve("db/migration/beforeEachMigrate.sql"));
      Files.writeString(dir.resolve("db/migration/beforeMigrate.sql"), oldCallback(kind));

      Cli.Result status = Cli.run(dir, env, "status", "prod");
      Cli.Result check = Cli.run(dir, env, "check", "prod", "--format", "json");
      Cli.Result scan = Cli.run(dir, "scan", ".");
      Cli.Result upgrade = Cli.run(dir, env, "init-fingerprint", "prod");

      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(status.out())
          .contains("stale:     db/migration/beforeMigrate.sql STALE")
          .contains("! prodguard's old callback db/migration/beforeMigrate.sql is stale");
      assertThat(check.out()).contains("\"stale\" : \"db/migration/beforeMigrate.sql\"");
      assertThat(scan.out()).contains("db/migration/beforeMigrate.sql", "is stale");
      assertThat(upgrade.exit()).as(upgrade.all()).isZero();
      assertThat(upgrade.out())
          .contains("callback:  wrote db/migration/beforeEachMigrate.sql")
          .contains("removed prodguard's old beforeMigrate.sql");
      assertThat(dir.resolve("db/migration/beforeMigrate.sql")).doesNotExist();
      assertThat(Cli.run(dir, env, "promote", "prod").exit()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G6: on MariaDB status and check show that the url's credential can change the schema and"
          + " that there is no deploy-url; verify exits 1 (G6)")
  void mariaDbWithoutRoleSplit() throws Exception {
    try (TestDatabase db = TestDatabase.mariadb()) {
      Map<String, String> env = ci(db.libpqUrl());
      repository("");

      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      Cli.Result status = Cli.run(dir, env, "status", "prod");
      Cli.Result check = Cli.run(dir, env, "check", "prod", "--format", "json");
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");

      assertThat(init.exit()).as(init.all()).isZero();
      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(status.out())
          .containsPattern("role split: no deploy-url; 'root'@'[^']+' CAN change the schema")
          .contains("! no role split");
      assertThat(check.exit()).as(check.all()).isZero();
      assertThat(check.out()).contains("\"can_change_schema\" : true", "ALL PRIVILEGES ON *.*");
      assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
      assertThat(verify.err()).contains("G6", "no deploy-url", "PROD_DEPLOY_DATABASE_URL");
    }
  }

  @Test
  @DisplayName(
      "G6: without a superuser init-fingerprint says the DDL guard is not installed (exit 0),"
          + " status shows it missing, and guards.require-ddl-trigger makes verify exit 1")
  void withoutSuperuser() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      String role = db.createOwnerRole();
      Map<String, String> env = ci(db.libpqUrl(role));
      repository("guards:\n  require-ddl-trigger: true\n");

      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      Cli.Result status = Cli.run(dir, env, "status", "prod");
      Cli.Result json = Cli.run(dir, env, "status", "prod", "--format", "json");
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");

      assertThat(init.exit()).as(init.all()).isZero();
      assertThat(init.out())
          .contains(
              "ddl guard: NOT INSTALLED: role '"
                  + role
                  + "' is not a superuser, and only a superuser can create event triggers");
      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(status.out())
          .contains("ddl guard: MISSING [guards.require-ddl-trigger]")
          .contains("guards.require-ddl-trigger makes verify refuse");
      assertThat(json.out()).contains("\"ddl_guard\" : \"missing\"");
      assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
      assertThat(verify.err()).contains("G6", "guards.require-ddl-trigger", "superuser");
    }
  }
}
