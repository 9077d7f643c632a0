package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G8 (issue 19, part 8): a URL through PgBouncer in transaction pooling. Before the fix it failed
 * closed but misdiagnosed: each promote was refused by its own backup's "stranded lock", and with
 * prepareThreshold=0 prodguard's own DDL guard blocked its deploy. Now every pipeline command
 * refuses up front (G8), naming the pooler and the fix; the same server through PgBouncer in
 * session pooling deploys. A drift read's named server-side statement (PgCatalogReads) once ran on
 * the probe's second connection before the probe and failed with "prepared statement S_1 already
 * exists" (exit 3) instead of this refusal: named statements now wait for the drift read and keep
 * the URL's prepareThreshold=0.
 *
 * <p>The test runs its own PgBouncer (a temporary configuration on a free port, pointing at the
 * test server); it fails, never skips, when pgbouncer is not installed (scripts/ensure-databases
 * installs it).
 */
@DisplayName("G8: a transaction-pooling PgBouncer is refused up front, naming it and the fix")
class G8SessionPoolerIT {
  @TempDir Path dir;
  @TempDir Path bouncerDir;

  static Path pgbouncer() {
    for (String d : (System.getenv("PATH") + ":/usr/sbin:/usr/local/sbin").split(":")) {
      Path p = Path.of(d, "pgbouncer");
      if (!d.isEmpty() && Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError(
        "pgbouncer is not installed: run scripts/ensure-databases (it installs it with apt-get"
            + " install pgbouncer), or install it by hand");
  }

  /** A PgBouncer in {@code mode} on a free port in front of the test server; stop with destroy. */
  private Process startBouncer(String mode, int port) throws Exception {
    Path conf = bouncerDir.resolve(mode + ".ini");
    Files.writeString(
        conf,
        "[databases]\n"
            + "* = host=127.0.0.1 port=5432 user=postgres\n"
            + "[pgbouncer]\n"
            + "listen_addr = 127.0.0.1\n"
            + "listen_port = "
            + port
            + "\n"
            + "unix_socket_dir =\n"
            + "auth_type = any\n"
            + "pool_mode = "
            + mode
            + "\n"
            + "ignore_startup_parameters = extra_float_digits,options\n"
            + "default_pool_size = 10\n"
            + "max_client_conn = 50\n"
            + "logfile = "
            + bouncerDir.resolve(mode + ".log")
            + "\n");
    Files.setPosixFilePermissions(bouncerDir, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> cmd =
        "root".equals(System.getProperty("user.name"))
            ? List.of(pgbouncer().toString(), "-u", "nobody", conf.toString())
            : List.of(pgbouncer().toString(), conf.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return p;
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new AssertionError(
              "pgbouncer did not start: "
                  + new String(p.getInputStream().readAllBytes())
                  + readLog(mode));
        }
        Thread.sleep(100);
      }
    }
  }

  private String readLog(String mode) {
    try {
      return Files.readString(bouncerDir.resolve(mode + ".log"));
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  @DisplayName("verify, backup, deploy and promote through pool_mode=transaction exit 1 (G8)")
  void transactionPoolingRefused() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = new HashMap<>();
      env.put("CI", "true");
      env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
      env.put("PROD_DATABASE_URL", db.libpqUrl());
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n"
              + "backup: { directory: backups }\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"), "CREATE TABLE items (id INT PRIMARY KEY);\n");
      Cli.Result init = Cli.run(dir, env, "init-fingerprint", "prod", "--write-config");
      assertThat(init.exit()).as(init.all()).isZero();

      int port = freePort();
      Process bouncer = startBouncer("transaction", port);
      try {
        Map<String, String> pooled = new HashMap<>(env);
        pooled.put(
            "PROD_DATABASE_URL",
            "postgresql://postgres@127.0.0.1:" + port + "/" + db.name() + "?prepareThreshold=0");
        // without prepareThreshold=0 too (the driver's default names a statement on its fifth
        // execution): the refusal comes before anything prepares a named statement
        Map<String, String> pooledDefault = new HashMap<>(env);
        pooledDefault.put(
            "PROD_DATABASE_URL", "postgresql://postgres@127.0.0.1:" + port + "/" + db.name());
        for (String command : new String[] {"promote", "verify", "backup", "deploy", "promote*"}) {
          Cli.Result r =
              command.endsWith("*")
                  ? Cli.run(dir, pooledDefault, "promote", "prod")
                  : Cli.run(dir, pooled, command, "prod");
          assertThat(r.exit()).as(command + ": " + r.all()).isEqualTo(1);
          assertThat(r.err())
              .as(command + ": " + r.all())
              .contains(
                  "G8 one deploy at a time",
                  "does not keep a database session",
                  "PgBouncer with pool_mode = transaction",
                  "pool_mode = session",
                  "deploy-url")
              .doesNotContain("stranded", "Exception", "\tat ");
        }
      } finally {
        bouncer.destroy();
        bouncer.waitFor(10, TimeUnit.SECONDS);
      }
      try (var c = db.connect();
          var st = c.createStatement();
          var rs = st.executeQuery("SELECT count(*) FROM prodguard_run")) {
        rs.next();
        assertThat(rs.getLong(1)).as("no run was recorded through the pooler").isZero();
      }

      // the same server through PgBouncer in session pooling keeps sessions: it deploys
      int sessionPort = freePort();
      Process session = startBouncer("session", sessionPort);
      try {
        Map<String, String> sessionPooled = new HashMap<>(env);
        sessionPooled.put(
            "PROD_DATABASE_URL",
            "postgresql://postgres@127.0.0.1:" + sessionPort + "/" + db.name());
        Cli.Result r = Cli.run(dir, sessionPooled, "promote", "prod");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("deployed run");
      } finally {
        session.destroy();
        session.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
