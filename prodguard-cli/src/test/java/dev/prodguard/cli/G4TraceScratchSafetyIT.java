package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G4: verify's trace (embedded scratch server, through the real jar) acts on nothing but its
 * scratch database: no row of the target or of another database, no file or program of the host
 * that runs prodguard, whatever a pending migration or the target's schema holds (attack17 findings
 * 18, 19, 23, 24, 26, 32).
 */
@DisplayName("G4: the trace's replay reaches nothing beyond its scratch database")
class G4TraceScratchSafetyIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G4: dblink_exec in a column DEFAULT is unknown to lint and never replayed: the target's rows"
          + " stay")
  void dblinkInADefaultDeletesNothing() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env =
          promotedProd(
              db,
              "CREATE EXTENSION dblink;\n"
                  + "CREATE TABLE orders (id int PRIMARY KEY, total int);\n"
                  + "INSERT INTO orders SELECT g, 10 FROM generate_series(1, 100) g;\n",
              "  - { migration: V1, rule: unknown-statement, reason: \"REV-9: dblink\" }\n");
      Files.writeString(
          dir.resolve("db/migration/V2__export_log.sql"),
          "CREATE TABLE export_log (id int, result text DEFAULT dblink_exec('host=127.0.0.1"
              + " port="
              + port(db)
              + " dbname="
              + db.name()
              + " user=postgres', 'DELETE FROM orders'));\n"
              + "INSERT INTO export_log (id) VALUES (1);\n");
      Cli.Result lint = Cli.run(dir, env, "lint");
      assertThat(lint.exit()).as(lint.all()).isEqualTo(1);
      assertThat(lint.all()).contains("[unknown-statement]", "dblink_exec()");
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
      assertThat(count(db, "SELECT count(*) FROM orders")).as("the target's rows").isEqualTo(100);
    }
  }

  @Test
  @DisplayName(
      "G4: lo_from_bytea/lo_export in column DEFAULTs and CREATE TABLESPACE are unknown to lint"
          + " and never replayed: no file or directory of the host is written")
  void serverFilesInDefaultsWriteNothing() throws Exception {
    Path mark = dir.resolve("pwned.sh");
    Path ts = Files.createDirectories(dir.resolve("ts"));
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = promotedProd(db, "CREATE TABLE orders (id int PRIMARY KEY);\n", "");
      Files.writeString(
          dir.resolve("db/migration/V2__stamp.sql"),
          "CREATE TABLE deploy_note (a oid DEFAULT lo_from_bytea(424242, convert_to('echo pwned',"
              + " 'UTF8')));\n"
              + "INSERT INTO deploy_note DEFAULT VALUES;\n"
              + "CREATE TABLE deploy_stamp (a int DEFAULT lo_export(424242, '"
              + mark
              + "'));\n"
              + "INSERT INTO deploy_stamp DEFAULT VALUES;\n");
      Cli.Result lint = Cli.run(dir, env, "lint");
      assertThat(lint.exit()).as(lint.all()).isEqualTo(1);
      assertThat(lint.all()).contains("lo_export()", "lo_from_bytea()");
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
      assertThat(mark).as("written on the host by the replay").doesNotExist();

      Files.delete(dir.resolve("db/migration/V2__stamp.sql"));
      Files.writeString(
          dir.resolve("db/migration/V2__ts.sql"),
          "CREATE TABLESPACE atk_ts LOCATION '" + ts + "';\n");
      Cli.Result tsLint = Cli.run(dir, env, "lint");
      assertThat(tsLint.exit()).as(tsLint.all()).isEqualTo(1);
      assertThat(tsLint.all()).contains("[unknown-statement]", "TABLESPACE");
      Cli.Result tsVerify = Cli.run(dir, env, "verify", "prod");
      assertThat(tsVerify.exit()).as(tsVerify.all()).isEqualTo(1);
      try (var entries = Files.list(ts)) {
        assertThat(entries.count()).as("nothing created in " + ts).isZero();
      }
    }
  }

  @Test
  @DisplayName(
      "G4: a postgres_fdw foreign table of the target is copied without its server's address or"
          + " user mapping: a pending DELETE on it refuses the trace (incomplete), the remote rows"
          + " stay")
  void foreignTableReachesNoRemoteDatabase() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL);
        TestDatabase ledger = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      ledger.execute(
          "CREATE TABLE ledger (id int PRIMARY KEY, amount int)",
          "INSERT INTO ledger SELECT g, 100 FROM generate_series(1, 50) g");
      Map<String, String> env =
          promotedProd(
              db,
              "CREATE EXTENSION postgres_fdw;\n"
                  + "CREATE SERVER ledger_db FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host"
                  + " '127.0.0.1', port '"
                  + port(db)
                  + "', dbname '"
                  + ledger.name()
                  + "');\n"
                  + "CREATE USER MAPPING FOR PUBLIC SERVER ledger_db OPTIONS (user 'postgres',"
                  + " password 'not-a-secret');\n"
                  + "CREATE FOREIGN TABLE ledger (id int, amount int) SERVER ledger_db;\n",
              "  - { migration: V1, rule: unknown-statement, reason: \"REV-7: the ledger\" }\n");
      Files.writeString(
          dir.resolve("db/migration/V2__purge.sql"), "DELETE FROM ledger WHERE amount > 0;\n");
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
      assertThat(verify.all()).contains("[trace-incomplete]", "foreign table");
      assertThat(count(ledger, "SELECT count(*) FROM ledger")).as("remote rows").isEqualTo(50);
    }
  }

  @Test
  @DisplayName(
      "G4: a file_fdw foreign table with a 'program' read by a pending INSERT ... SELECT runs"
          + " nothing on the host: the trace refuses (incomplete)")
  void fileFdwProgramRunsNothing() throws Exception {
    Path mark = dir.resolve("ran");
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env =
          promotedProd(
              db,
              "CREATE EXTENSION file_fdw;\n"
                  + "CREATE SERVER logs FOREIGN DATA WRAPPER file_fdw;\n"
                  + "CREATE FOREIGN TABLE server_log (line text) SERVER logs OPTIONS (program 'id"
                  + " > "
                  + mark
                  + "; echo ok');\n"
                  + "CREATE TABLE log_lines (line text);\n",
              "  - { migration: V1, rule: unknown-statement, reason: \"REV-8: the log\" }\n");
      Files.deleteIfExists(mark);
      Files.writeString(
          dir.resolve("db/migration/V2__import.sql"),
          "INSERT INTO log_lines SELECT line FROM server_log;\n");
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
      assertThat(verify.all()).contains("[trace-incomplete]", "foreign table");
      assertThat(mark).as("a program run on the host by the replay").doesNotExist();
    }
  }

  @Test
  @DisplayName(
      "G4: a table in a tablespace of its own is copied without it: verify traces the pending"
          + " migration instead of refusing")
  void tablespaceOfTheTargetIsLeftOut() throws Exception {
    // outside the test's own directory (0700): the server's user must reach it
    Path tsDir =
        Files.createDirectories(
            Path.of(System.getProperty("java.io.tmpdir"), "prodguard-g4-ts-" + System.nanoTime()));
    // the test server runs on this host as 'postgres': the tablespace directory must be its own
    new ProcessBuilder("chown", "postgres:postgres", tsDir.toString()).start().waitFor();
    String ts = "hts_ts_" + Long.toHexString(System.nanoTime());
    String admin = null;
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      admin = db.jdbcUrl().replace("/" + db.name(), "/postgres");
      db.execute("CREATE TABLESPACE " + ts + " LOCATION '" + tsDir + "'");
      Map<String, String> env = promotedProd(db, "CREATE TABLE orders (id int PRIMARY KEY);\n", "");
      db.execute("ALTER TABLE orders SET TABLESPACE " + ts); // storage placement by a DBA
      Files.writeString(
          dir.resolve("db/migration/V2__notes.sql"), "CREATE TABLE notes (id int);\n");
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.all()).doesNotContain(ts);
      assertThat(verify.exit()).as(verify.all()).isZero();
    } finally {
      // the database (and its table in the tablespace) is gone first
      if (admin != null) {
        try (Connection c = java.sql.DriverManager.getConnection(admin);
            java.sql.Statement st = c.createStatement()) {
          st.execute("DROP TABLESPACE IF EXISTS " + ts);
        }
      }
      new ProcessBuilder("rm", "-rf", tsDir.toString()).start().waitFor();
    }
  }

  /**
   * A protected 'prod' on {@code db} with V1 ({@code v1}) promoted from CI before trace ran in
   * verify (V1 itself is what an earlier, reviewed deploy left on the target), then trace on: the
   * CI variables.
   */
  private Map<String, String> promotedProd(TestDatabase db, String v1, String exceptions)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put("PROD_DATABASE_URL", db.libpqUrl());
    env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    env.put("GITHUB_ACTOR", "ci-bot");
    env.put("XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache").toString());
    String yml =
        "environments:\n"
            + "  prod:\n"
            + "    url: ${PROD_DATABASE_URL}\n"
            + "    protected: true\n"
            + "backup: { directory: backups }\n";
    Files.writeString(dir.resolve("prodguard.yml"), yml + "trace: { verify: off }\n");
    Files.writeString(
        dir.resolve("prodguard-contract.yml"),
        "version: 1\n" + (exceptions.isEmpty() ? "" : "exceptions:\n" + exceptions));
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(dir.resolve("db/migration/V1__init.sql"), v1);
    Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
    assertThat(init.exit()).as(init.all()).isZero();
    Cli.Result promote = Cli.run(dir, env, "promote", "prod");
    assertThat(promote.exit()).as(promote.all()).isZero();
    String written = Files.readString(dir.resolve("prodguard.yml"));
    Files.writeString(
        dir.resolve("prodguard.yml"), written.replaceAll("(?m)^.*verify: off.*\n", ""));
    return env;
  }

  private static int port(TestDatabase db) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(":(\\d+)/").matcher(db.libpqUrl());
    return m.find() ? Integer.parseInt(m.group(1)) : 5432;
  }

  private static long count(TestDatabase db, String sql) throws Exception {
    try (Connection c = db.connect();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
