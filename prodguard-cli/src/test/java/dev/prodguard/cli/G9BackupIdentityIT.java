package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G9 (issue 19, part 5): a dump tool on the PATH that writes a valid dump of another database is
 * refused, without {@code restore-check}: the dump must hold this database's {@code
 * database_metadata} row (same environment and fingerprint) and its tables. Before the fix such a
 * backup was recorded and the deploy went ahead.
 */
@DisplayName("G9: a backup of another database is refused, without a restore")
class G9BackupIdentityIT {
  @TempDir Path dir;
  @TempDir Path fakeBin;

  private static final Pattern FINGERPRINT = Pattern.compile("fingerprint: (\\S+)");

  private Map<String, String> ci(TestDatabase prod, TestDatabase staging) {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put("PROD_DATABASE_URL", prod.libpqUrl());
    if (prod.kind() == DatabaseKind.MARIADB) {
      env.put("PROD_DATABASE_URL", prod.libpqUrl(prod.createUser("SELECT, EXECUTE")));
      env.put("PROD_DEPLOY_DATABASE_URL", prod.libpqUrl());
    }
    env.put("STAGING_DATABASE_URL", staging.libpqUrl());
    env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    env.put("GITHUB_ACTOR", "ci-bot");
    return env;
  }

  /**
   * A dump tool named like the real one, first on the PATH, that runs the real one against {@code
   * other} (PostgreSQL: PGDATABASE; MariaDB: the database argument, the last one).
   */
  private Map<String, String> withFakeDumpTool(
      Map<String, String> env, DatabaseKind kind, String other) throws Exception {
    String name = kind == DatabaseKind.POSTGRESQL ? "pg_dump" : "mariadb-dump";
    String real = onPath(name);
    String redirect =
        kind == DatabaseKind.POSTGRESQL
            ? "PGDATABASE=" + other + " exec " + real + " \"$@\"\n"
            : "n=$#; args=(\"$@\"); args[$((n-1))]="
                + other
                + "; exec "
                + real
                + " \"${args[@]}\"\n";
    Path script = fakeBin.resolve(name);
    Files.writeString(
        script,
        "#!/bin/bash\n"
            + "for a in \"$@\"; do [ \"$a\" = --version ] && exec "
            + real
            + " --version; done\n"
            + redirect);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    Map<String, String> faked = new HashMap<>(env);
    faked.put("PATH", fakeBin + File.pathSeparator + System.getenv("PATH"));
    return faked;
  }

  private static String onPath(String name) {
    for (String d : System.getenv("PATH").split(File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError(name + " is not on PATH: install the database client tools");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("a dump of another fingerprinted database, or of one without metadata, exits 1")
  void dumpOfAnotherDatabase(DatabaseKind kind) throws Exception {
    try (TestDatabase prod = TestDatabase.create(kind);
        TestDatabase staging = TestDatabase.create(kind);
        TestDatabase bare = TestDatabase.create(kind)) {
      Map<String, String> env = ci(prod, staging);
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n"
              + "  prod:\n"
              + "    url: ${PROD_DATABASE_URL}\n"
              + (env.containsKey("PROD_DEPLOY_DATABASE_URL")
                  ? "    deploy-url: ${PROD_DEPLOY_DATABASE_URL}\n"
                  : "")
              + "    protected: true\n"
              + "  staging:\n"
              + "    url: ${STAGING_DATABASE_URL}\n"
              + "backup: { directory: backups }\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"),
          "CREATE TABLE items (id INT PRIMARY KEY);\nINSERT INTO items VALUES (1), (2);\n");
      for (String e : new String[] {"prod", "staging"}) {
        Cli.Result init = Cli.run(dir, env, "init-fingerprint", e, "--write-config");
        assertThat(init.exit()).as(init.all()).isZero();
      }
      Matcher m = FINGERPRINT.matcher(Files.readString(dir.resolve("prodguard.yml")));
      assertThat(m.find()).isTrue();
      String prodFingerprint = m.group(1);
      assertThat(m.find()).isTrue();
      String stagingFingerprint = m.group(1);
      staging.execute("CREATE TABLE staging_only (id INT PRIMARY KEY)");
      bare.execute("CREATE TABLE other_app (id INT PRIMARY KEY)");

      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isZero();

      Cli.Result ofStaging =
          Cli.run(dir, withFakeDumpTool(env, kind, staging.name()), "backup", "prod");
      assertThat(ofStaging.exit()).as(ofStaging.all()).isEqualTo(1);
      assertThat(ofStaging.err())
          .as(ofStaging.all())
          .contains(
              "G9 verified backup before deploy",
              "is of another database",
              "environment 'staging', fingerprint " + stagingFingerprint,
              "this database is 'prod', fingerprint " + prodFingerprint,
              fakeBin.toString())
          .doesNotContain("Exception", "\tat ");

      Cli.Result ofBare = Cli.run(dir, withFakeDumpTool(env, kind, bare.name()), "backup", "prod");
      assertThat(ofBare.exit()).as(ofBare.all()).isEqualTo(1);
      assertThat(ofBare.err())
          .as(ofBare.all())
          .contains("G9", "holds no database_metadata row", "not a dump of 'prod'")
          .doesNotContain("Exception", "\tat ");

      Cli.Result deploy = Cli.run(dir, env, "deploy", "prod");
      assertThat(deploy.exit()).as("nothing was recorded: " + deploy.all()).isEqualTo(1);
      assertThat(deploy.err()).contains("deployment fails without backup state");

      // the server's own tool, unchanged, passes the same check
      Cli.Result real = Cli.run(dir, env, "backup", "prod");
      assertThat(real.exit()).as(real.all()).isZero();
      Cli.Result deployed = Cli.run(dir, env, "deploy", "prod");
      assertThat(deployed.exit()).as(deployed.all()).isZero();
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName(
      "G9 (attacker 21/03): a table with rows that is a member of an extension, which pg_dump"
          + " leaves out, makes the promote exit 1 before its dump, naming the table and the fix")
  void extensionMemberTableLeftOutRefused() throws Exception {
    try (TestDatabase prod = TestDatabase.create(DatabaseKind.POSTGRESQL);
        TestDatabase staging = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = ci(prod, staging);
      prod.execute("CREATE TABLE orders (id INT PRIMARY KEY)");
      prod.execute("INSERT INTO orders SELECT g FROM generate_series(1, 100) g");
      prod.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto");
      prod.execute("ALTER EXTENSION pgcrypto ADD TABLE orders");
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n"
              + "backup: { directory: backups }\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"), "CREATE TABLE items (id INT PRIMARY KEY);\n");
      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();

      Cli.Result promote = Cli.run(dir, env, "promote", "prod");
      assertThat(promote.exit()).as(promote.all()).isEqualTo(1);
      assertThat(promote.err())
          .as(promote.all())
          .contains(
              "G9",
              "public.orders (a member of extension pgcrypto",
              "ALTER EXTENSION name DROP TABLE table")
          .doesNotContain("\tat ");
      try (var c = prod.connect();
          var st = c.createStatement();
          var rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'items'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("nothing deployed").isZero();
      }
    }
  }
}
