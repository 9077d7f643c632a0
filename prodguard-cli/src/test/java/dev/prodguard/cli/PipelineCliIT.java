package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** verify, backup, deploy, promote and status through the real jar, with exit codes. */
@DisplayName("CLI end to end: the pipeline")
class PipelineCliIT {
  @TempDir Path dir;

  private void repository(Map<String, String> env) throws Exception {
    CliProd.fingerprinted(
        dir,
        env,
        "backup: { directory: backups }\n",
        "V1__items.sql",
        "CREATE TABLE items (id INT PRIMARY KEY);\nINSERT INTO items VALUES (1), (2);\n");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: verify, backup, deploy in order exit 0; out of order or twice exit 1")
  void pipelineInOrder(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Map<String, String> env = CliProd.ci(db);
      repository(env);

      Cli.Result early = Cli.run(dir, env, "deploy", "prod");
      assertThat(early.exit()).as(early.all()).isEqualTo(1);
      assertThat(early.err())
          .contains("G7 order-locked pipeline", "deployment fails without verification state");

      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isZero();
      assertThat(verify.out())
          .contains("verified 'prod'", "V1__items.sql", "next: prodguard backup");

      Cli.Result noBackup = Cli.run(dir, env, "deploy", "prod");
      assertThat(noBackup.exit()).isEqualTo(1);
      assertThat(noBackup.err()).contains("G9", "deployment fails without backup state");

      Cli.Result backup = Cli.run(dir, env, "backup", "prod", "--format", "json");
      assertThat(backup.exit()).as(backup.all()).isZero();
      assertThat(backup.out()).contains("\"outcome\" : \"backed_up\"", "\"sha256\"");

      Cli.Result deploy = Cli.run(dir, env, "deploy", "prod");
      assertThat(deploy.exit()).as(deploy.all()).isZero();
      assertThat(deploy.out()).contains("deployed run", "V1 items");

      Cli.Result twice = Cli.run(dir, env, "deploy", "prod");
      assertThat(twice.exit()).isEqualTo(1);
      assertThat(twice.err()).contains("single use");

      Cli.Result status = Cli.run(dir, env, "status", "prod");
      assertThat(status.exit()).as(status.all()).isZero();
      assertThat(status.out()).contains("pending:     none", "deploy lock: free", "deployed");

      // nothing pending: no run is recorded, but the verification is audited (it said "nothing")
      Cli.Result again = Cli.run(dir, env, "verify", "prod");
      assertThat(again.exit()).as(again.all()).isZero();
      assertThat(again.out())
          .contains("up to date", "no run recorded (audited as up_to_date)")
          .doesNotContain("nothing recorded");
      assertThat(Cli.run(dir, env, "audit", "prod").out()).contains("up_to_date");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "promote exits 0; a failing migration exits 3, marks the run failed, names the backup")
  void promoteAndFailure(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Map<String, String> env = CliProd.ci(db);
      repository(env);

      Cli.Result promote = Cli.run(dir, env, "promote", "prod");
      assertThat(promote.exit()).as(promote.all()).isZero();
      assertThat(promote.out()).contains("verified run", "backed up to", "deployed run");

      Cli.Result upToDate = Cli.run(dir, env, "promote", "prod");
      assertThat(upToDate.exit()).as(upToDate.all()).isZero();
      assertThat(upToDate.out()).contains("up to date");

      // fails on the target's rows, not on its schema: verify's trace (schema only) passes it
      Files.writeString(
          dir.resolve("db/migration/V2__broken.sql"), "INSERT INTO items VALUES (1);\n");
      Cli.Result broken = Cli.run(dir, env, "promote", "prod");
      assertThat(broken.exit()).as(broken.all()).isEqualTo(3);
      assertThat(broken.err()).contains("deploy failed", "uplicate", "backups/prod-run-");
      // PostgreSQL rolled the transactional migration back: nothing to restore
      assertThat(broken.err())
          .contains(
              kind == DatabaseKind.POSTGRESQL ? "No restore is needed" : "restore the backup");
      // one next step after a failed deploy and after repair alike
      String next = "prodguard verify prod, then backup and deploy (prodguard promote prod does";
      assertThat(broken.err()).contains(next);
      // G7: MariaDB keeps Flyway's failed row and verify refuses until repair removes it, so the
      // way forward names repair first (new user 23: "fix the cause, then verify" was refused)
      if (kind == DatabaseKind.MARIADB) {
        assertThat(broken.err())
            .contains("then: prodguard repair prod --reason \"...\" from CI")
            .contains("verify refuses until then), then " + next);
      } else {
        assertThat(broken.err()).doesNotContain("prodguard repair");
      }

      Cli.Result status = Cli.run(dir, env, "status", "prod", "--format", "json");
      // MariaDB's DDL is not transactional, so Flyway records the failed migration there and the
      // history no longer validates: status says so with exit 1. PostgreSQL rolled it back.
      assertThat(status.exit()).as(status.all()).isEqualTo(kind == DatabaseKind.MARIADB ? 1 : 0);
      assertThat(status.out()).contains("\"status\" : \"failed\"");
      if (kind == DatabaseKind.MARIADB) {
        Cli.Result repair = Cli.run(dir, env, "repair", "prod", "--reason", "INC-3: retry V2");
        assertThat(repair.exit()).as(repair.all()).isZero();
        assertThat(repair.out()).contains(next).doesNotContain("run prodguard promote prod");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G1: deploy and promote fail locally even with APP_ENV=production (exit 1)")
  void localDeployRefused(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      repository(CliProd.ci(db));
      Map<String, String> laptop =
          Map.of("APP_ENV", "production", "PROD_DATABASE_URL", db.libpqUrl());

      for (String command : new String[] {"deploy", "promote", "verify", "backup"}) {
        Cli.Result r = Cli.run(dir, laptop, command, "prod");
        assertThat(r.exit()).as(command + ": " + r.all()).isEqualTo(1);
        assertThat(r.err()).contains("G1 CI-only mutation");
      }
      // init-fingerprint installs every prodguard object: no state means no run rows.
      try (var c = db.connect();
          var st = c.createStatement();
          var rs = st.executeQuery("SELECT COUNT(*) FROM prodguard_run")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).as("no pipeline state was created").isZero();
      }
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName(
      "deploy in a CI log: each migration's start and end as plain lines with time and duration,"
          + " Flyway's warnings folded in as one line, no ANSI and no stack trace")
  void deployOutputInCiLogs() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = CliProd.ci(db);
      repository(env);
      Files.writeString(
          dir.resolve("db/migration/V2__again.sql"),
          "CREATE TABLE IF NOT EXISTS items (id INT PRIMARY KEY);\n");
      Cli.Result promote = Cli.run(dir, env, "promote", "prod");
      assertThat(promote.exit()).as(promote.all()).isZero();
      assertThat(promote.err())
          .containsPattern(
              "(?m)^prodguard: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ V1 items: started$")
          .containsPattern("(?m)^prodguard: \\S+Z V1 items: applied in \\d+\\.\\d+ s$")
          .containsPattern("(?m)^prodguard: \\S+Z V2 again: applied in \\d+\\.\\d+ s$")
          .contains("prodguard: flyway warning: DB: relation \"items\" already exists, skipping")
          .doesNotContain("\u001b", "\tat ", "org.flywaydb.core");

      // fails on the target's rows, not on its schema: verify's trace (schema only) passes it
      Files.writeString(
          dir.resolve("db/migration/V3__broken.sql"), "INSERT INTO items VALUES (1);\n");
      Cli.Result broken = Cli.run(dir, env, "promote", "prod");
      assertThat(broken.exit()).as(broken.all()).isEqualTo(3);
      assertThat(broken.err())
          .containsPattern("(?m)^prodguard: \\S+Z V3 broken: failed after \\d+\\.\\d+ s$")
          .doesNotContain("\u001b", "\tat ");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("status exits 1 (not 0) while it prints 'validation: FAILED', in text and json")
  void statusFailsWithValidation(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Map<String, String> env = CliProd.ci(db);
      repository(env);
      Cli.Result promote = Cli.run(dir, env, "promote", "prod");
      assertThat(promote.exit()).as(promote.all()).isZero();
      Files.delete(dir.resolve("db/migration/V1__items.sql"));

      Cli.Result text = Cli.run(dir, env, "status", "prod");
      assertThat(text.out()).contains("validation:  FAILED");
      assertThat(text.exit()).as(text.all()).isEqualTo(1);
      Cli.Result json = Cli.run(dir, env, "status", "prod", "--format", "json");
      assertThat(json.exit()).as(json.all()).isEqualTo(1);
    }
  }
}
