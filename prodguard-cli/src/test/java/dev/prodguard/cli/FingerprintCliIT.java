package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.ConnectionRecorder;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The real jar, run as a process: exit codes and one-screen messages without passwords. */
@DisplayName("CLI end to end: init-fingerprint, check, help, configuration errors")
class FingerprintCliIT {
  @TempDir Path dir;

  private static final String CONFIG =
      """
      # the team's config: comments must survive --write-config
      environments:
        dev:
          url: ${DEV_DATABASE_URL}   # local database
        prod:
          url: ${PROD_DATABASE_URL}
          protected: true
          hosts: ["*.prod.internal"]
      """;

  @Test
  @DisplayName("--help lists the commands and the exit codes; --version prints the version")
  void help() throws Exception {
    Cli.Result r = Cli.run(dir, Map.of(), "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("init-fingerprint", "check", "Exit codes");
    Cli.Result v = Cli.run(dir, Map.of(), "--version");
    assertThat(v.exit()).isZero();
    assertThat(v.out()).startsWith("prodguard ");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G2: init-fingerprint --write-config, then check passes; the password is never printed")
  void fingerprintThenCheck(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Files.writeString(dir.resolve("prodguard.yml"), CONFIG);
      // a password the test servers ignore (trust / empty), so it must be redacted, not used
      Map<String, String> env =
          Map.of(
              "DEV_DATABASE_URL",
              kind == DatabaseKind.POSTGRESQL
                  ? db.libpqUrl().replace("postgres@", "postgres:Sup3r-Secret-pw@")
                  : db.libpqUrl());
      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "dev", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();
      assertThat(init.out()).contains("Fingerprinted 'dev'");
      String yml = Files.readString(dir.resolve("prodguard.yml"));
      assertThat(yml)
          .contains("# the team's config", "# local database")
          .containsPattern("fingerprint: dev-[0-9a-f]{32}");

      Cli.Result check = Cli.run(dir, env, "check", "dev");
      assertThat(check.exit()).as(check.all()).isZero();
      assertThat(check.out()).contains("ok: 'dev'");
      assertThat(check.all()).doesNotContain("Sup3r-Secret-pw");

      Cli.Result json = Cli.run(dir, env, "check", "dev", "--format", "json");
      assertThat(json.exit()).isZero();
      assertThat(json.out()).contains("\"status\" : \"ok\"");

      Cli.Result again = Cli.run(dir, env, "init-fingerprint", "dev");
      assertThat(again.exit()).isZero();
      assertThat(again.out()).contains("already fingerprinted");
    }
  }

  @Test
  @DisplayName("G2: check of the dev URL pointing at prod exits 1 with a one-screen refusal")
  void devPointsAtProd() throws Exception {
    try (TestDatabase prod = TestDatabase.postgres()) {
      Files.writeString(dir.resolve("prodguard.yml"), CONFIG);
      Map<String, String> ci = Map.of("CI", "true", "PROD_DATABASE_URL", prod.libpqUrl());
      Cli.Result init = Cli.run(dir, ci, "init-fingerprint", "prod", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();
      Cli.Result dev =
          Cli.run(dir, Map.of("DEV_DATABASE_URL", prod.libpqUrl()), "init-fingerprint", "dev");
      assertThat(dev.exit()).as(dev.all()).isEqualTo(1);
      assertThat(dev.err())
          .contains("refused [G2 environment fingerprint]", "already fingerprinted as 'prod'");
      assertThat(dev.err().lines().count()).isLessThan(25);
    }
  }

  @Test
  @DisplayName(
      "G2: a schema named after the role (first on \"$user\", public) moves current_schema() away"
          + " from database_metadata: check and drift show refuse on one screen instead of reading"
          + " and writing a second copy of prodguard's state; currentSchema in the URL is the fix")
  void schemaNamedAfterRoleIsRefused() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      Files.writeString(dir.resolve("prodguard.yml"), CONFIG);
      Map<String, String> env = Map.of("DEV_DATABASE_URL", db.libpqUrl());
      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "dev", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();
      assertThat(Cli.run(dir, env, "check", "dev").exit()).isZero();

      db.execute("CREATE SCHEMA AUTHORIZATION CURRENT_USER");
      for (String[] command : new String[][] {{"check", "dev"}, {"drift", "show", "dev"}}) {
        Cli.Result r = Cli.run(dir, env, command);
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.err())
            .contains(
                "refused [G2 environment fingerprint]",
                "prodguard's state (drift reference, runs, audit) is in schema 'public'",
                "drop the hand-made schema",
                "currentSchema=public")
            .doesNotContain("no schema recorded");
        assertThat(r.err().lines().count()).isLessThan(25);
      }
      try (java.sql.Connection c = db.connect();
          java.sql.Statement st = c.createStatement();
          java.sql.ResultSet rs =
              st.executeQuery(
                  "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'prodguard%'"
                      + " AND schemaname <> 'public'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("no second copy of prodguard's tables").isZero();
      }

      Map<String, String> pinned =
          Map.of(
              "DEV_DATABASE_URL",
              db.libpqUrl() + (db.libpqUrl().contains("?") ? "&" : "?") + "currentSchema=public");
      Cli.Result fixed = Cli.run(dir, pinned, "check", "dev");
      assertThat(fixed.exit()).as(fixed.all()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G1: init-fingerprint of prod outside CI exits 1 before connecting, even with APP_ENV=production")
  void prodOutsideCi() throws Exception {
    try (ConnectionRecorder prod = new ConnectionRecorder()) {
      Files.writeString(dir.resolve("prodguard.yml"), CONFIG);
      Cli.Result r =
          Cli.run(
              dir,
              Map.of(
                  "PROD_DATABASE_URL",
                  "postgresql://deployer:pr0d-pa55@127.0.0.1:" + prod.port() + "/shop",
                  "APP_ENV",
                  "production"),
              "init-fingerprint",
              "prod");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("G1 CI-only mutation", "fix:");
      assertThat(r.all()).doesNotContain("pr0d-pa55");
      assertThat(prod.connections()).isZero();
    }
  }

  @Test
  @DisplayName("G3: the dev URL at a prod host exits 1 before connecting, password redacted")
  void devAtProdHost() throws Exception {
    Files.writeString(dir.resolve("prodguard.yml"), CONFIG);
    Cli.Result r =
        Cli.run(
            dir,
            Map.of("DEV_DATABASE_URL", "postgresql://app:hunter2-xyz@db1.prod.internal/shop"),
            "check",
            "dev");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("G3 early URL refusal", "*.prod.internal");
    assertThat(r.all()).doesNotContain("hunter2-xyz");
  }

  @Test
  @DisplayName("configuration errors exit 2 naming file, line and key, without passwords")
  void configErrors() throws Exception {
    Files.writeString(
        dir.resolve("prodguard.yml"),
        "environments:\n  dev:\n    url: postgresql://app:t0p-secret@h/db\n    protectd: true\n");
    Cli.Result unknown = Cli.run(dir, Map.of(), "check", "dev");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("prodguard.yml:4", "environments.dev.protectd");
    assertThat(unknown.all()).doesNotContain("t0p-secret");

    Files.writeString(dir.resolve("prodguard.yml"), CONFIG);
    Cli.Result missingVar = Cli.run(dir, Map.of(), "check", "dev");
    assertThat(missingVar.exit()).isEqualTo(2);
    assertThat(missingVar.err()).contains("DEV_DATABASE_URL is not set", "prodguard.yml:4");

    Cli.Result badUrl =
        Cli.run(dir, Map.of("DEV_DATABASE_URL", "oracle://u:pw-777@h/x"), "check", "dev");
    assertThat(badUrl.exit()).isEqualTo(2);
    assertThat(badUrl.all()).doesNotContain("pw-777");

    Cli.Result noEnv = Cli.run(dir, Map.of(), "check", "staging");
    assertThat(noEnv.exit()).isEqualTo(2);
    assertThat(noEnv.err()).contains("no environment 'staging'");

    Cli.Result usage = Cli.run(dir, Map.of(), "check", "--bogus");
    assertThat(usage.exit()).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "a server that does not answer exits 3 with the cause, the fix and no stack trace (no"
          + " longer an 'unexpected failure': ConnectionFailureCliIT)")
  void unexpectedFailure() throws Exception {
    Files.writeString(dir.resolve("prodguard.yml"), CONFIG);
    try (ConnectionRecorder silent = new ConnectionRecorder()) {
      silent.close(); // nothing listens on this port any more
      Cli.Result r =
          Cli.run(
              dir,
              Map.of("DEV_DATABASE_URL", "postgresql://u:pw-3x@127.0.0.1:" + silent.port() + "/x"),
              "init-fingerprint",
              "dev");
      assertThat(r.exit()).as(r.all()).isEqualTo(3);
      assertThat(r.err())
          .contains("the database connection failed", "fix: ")
          .doesNotContain("unexpected failure")
          .doesNotContain("\tat ");
      assertThat(r.all()).doesNotContain("pw-3x");
    }
  }
}
