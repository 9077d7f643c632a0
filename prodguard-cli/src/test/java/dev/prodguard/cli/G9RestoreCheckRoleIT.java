package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G9 (issue 19, part 7): {@code restore-check: true} run as the database's owner, a role that is
 * not a superuser, on a database with a superuser-only extension ({@code pg_stat_statements}, not
 * trusted). Before the fix the restore check failed on this sound dump ("permission denied to
 * create extension"), so such a database could never be deployed. Now the check leaves out what the
 * role cannot create, says what it left out, and still compares every table.
 */
@DisplayName("G9: the restore check as a non-superuser owner leaves out what it cannot create")
class G9RestoreCheckRoleIT {
  @TempDir Path dir;

  @Test
  @DisplayName("pg_stat_statements in the dump: promote with restore-check exits 0, says so")
  void untrustedExtensionLeftOut() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      db.execute(
          "CREATE EXTENSION pg_stat_statements",
          "CREATE TABLE customers (id INT PRIMARY KEY, name TEXT)",
          "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 50) g");
      String owner = db.createOwnerRole(true); // CREATEDB: the check's scratch database
      db.execute("ALTER TABLE customers OWNER TO " + owner);

      Map<String, String> env = new HashMap<>();
      env.put("CI", "true");
      env.put("PROD_DATABASE_URL", db.libpqUrl(owner));
      env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n"
              + "backup: { directory: backups, restore-check: true }\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"), "CREATE TABLE items (id INT PRIMARY KEY);\n");
      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();

      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isZero();
      Cli.Result backup = Cli.run(dir, env, "backup", "prod");
      assertThat(backup.exit()).as(backup.all()).isZero();
      assertThat(backup.out())
          .as(backup.all())
          .contains(
              "restore-checked",
              "restore check left out: extension pg_stat_statements (not trusted: only a"
                  + " superuser may create it)");
      // the extension was left out of the check only: the backup itself holds it
      try (var c = db.connect();
          var st = c.createStatement();
          var rs =
              st.executeQuery(
                  "SELECT count(*) FROM prodguard_audit WHERE details LIKE '%pg_stat_statements%'")) {
        rs.next();
        assertThat(rs.getLong(1)).as("the audit row says what was left out").isPositive();
      }
    }
  }
}
