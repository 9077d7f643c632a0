package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** drift show/accept, trace, and verify with trace, through the real jar (PostgreSQL). */
@DisplayName("CLI end to end: drift (G7) and trace (G4)")
class DriftTraceCliIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G7: a hand-made change is shown by 'drift show' (exit 1) and refused by verify until 'drift"
          + " accept' from CI; trace and verify with trace report what the server did")
  void driftAndTrace() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env =
          promotedProd(
              db,
              "CREATE TABLE items (id INT PRIMARY KEY, name text);\n"
                  + "INSERT INTO items SELECT g, 'n' FROM generate_series(1, 1000) g;\n");
      Cli.Result clean = Cli.run(dir, env, "drift", "show", "prod");
      assertThat(clean.exit()).as(clean.all()).isZero();
      assertThat(clean.out()).contains("no drift: 'prod'");

      db.execute("ALTER TABLE items ADD COLUMN note text");
      Files.writeString(
          dir.resolve("db/migration/V2__index.sql"), "CREATE INDEX items_name ON items (name);\n");

      Cli.Result show = Cli.run(dir, env, "drift", "show", "prod");
      assertThat(show.exit()).as(show.all()).isEqualTo(1);
      assertThat(show.out()).contains("+ table public.items column note: text");
      // status ENV shows what verify is about to refuse, as status --fleet does
      Cli.Result status = Cli.run(dir, env, "status", "prod");
      assertThat(status.out())
          .as(status.all())
          .contains("drift (G7):  1 change(s) (changed outside the pipeline since the deploy of")
          .contains("prodguard drift show prod");
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
      assertThat(verify.err())
          .contains("G7 order-locked pipeline", "changed outside the pipeline", "column note");

      Map<String, String> laptop = new HashMap<>(env);
      laptop.remove("CI");
      Cli.Result local = Cli.run(dir, laptop, "drift", "accept", "prod", "--reason", "INC-1");
      assertThat(local.exit()).as(local.all()).isEqualTo(1);
      // drift show only reads, with the deploy's credential: CI only, and the refusal says so
      Cli.Result localShow = Cli.run(dir, laptop, "drift", "show", "prod");
      assertThat(localShow.exit()).as(localShow.all()).isEqualTo(1);
      assertThat(localShow.err())
          .contains("G1", "'drift show' changes nothing", "credential deploys use")
          .contains("prodguard status prod")
          .doesNotContain("changes to a protected environment");
      // a blank reason is a usage error (exit 2) for both reviewed steps, as the exit codes say
      for (String[] blank :
          new String[][] {
            {"drift", "accept", "prod", "--reason", " "}, {"repair", "prod", "--reason", " "}
          }) {
        Cli.Result r = Cli.run(dir, env, blank);
        assertThat(r.exit()).as(String.join(" ", blank) + "\n" + r.all()).isEqualTo(2);
        assertThat(r.err()).contains("--reason must say why").doesNotContain("Exception");
      }
      Cli.Result accept =
          Cli.run(dir, env, "drift", "accept", "prod", "--reason", "INC-1: note kept");
      assertThat(accept.exit()).as(accept.all()).isZero();
      assertThat(accept.out()).contains("accepted", "1 change(s) accepted");

      // the target's own server as scratch: refused (the replay would run next to the target)
      Map<String, String> sameServer = new HashMap<>(env);
      sameServer.put("PRODGUARD_TRACE_SCRATCH_URL", db.libpqUrl().replace(db.name(), "postgres"));
      Cli.Result refused = Cli.run(dir, sameServer, "trace", "prod");
      assertThat(refused.exit()).as(refused.all()).isEqualTo(1);
      assertThat(refused.err()).contains("is the server of 'prod' itself");
      // a scratch URL that is no URL: a usage error naming the option, not a crash
      Cli.Result bad = Cli.run(dir, env, "trace", "prod", "--scratch-url", "notaurl");
      assertThat(bad.exit()).as(bad.all()).isEqualTo(2);
      assertThat(bad.err()).contains("--scratch-url").doesNotContain("Exception");
      Cli.Result trace = Cli.run(dir, env, "trace", "prod", "--format", "json");
      assertThat(trace.exit()).as(trace.all()).isZero();
      assertThat(trace.out())
          .contains("\"rule\" : \"trace-index-build-blocks-writes\"", "\"public.items\"");
      Cli.Result traced = Cli.run(dir, env, "verify", "prod");
      assertThat(traced.exit()).as(traced.all()).isZero();
      assertThat(traced.all()).contains("[trace-index-build-blocks-writes]");
    }
  }

  @Test
  @DisplayName(
      "G7: trace's reads of the target (its pg_dump of the schema, its size reads) wait for"
          + " another session's lock at most pipeline.lock-wait-timeout, then verify refuses"
          + " naming the session (attacker 19/09: verify waited 30 minutes behind a LOCK TABLE)")
  void traceReadsBoundedByLockWaitTimeout() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env =
          promotedProd(
              db,
              "CREATE TABLE orders (id INT PRIMARY KEY, note text);\n"
                  + "CREATE TABLE audit_log (id INT PRIMARY KEY);\n");
      Path config = dir.resolve("prodguard.yml");
      Files.writeString(config, Files.readString(config) + "pipeline: { lock-wait-timeout: 3s }\n");
      Files.writeString(
          dir.resolve("db/migration/V2__idx.sql"), "CREATE INDEX orders_note ON orders (note);\n");
      try (java.sql.Connection holder = db.connect()) {
        holder.setAutoCommit(false);
        try (java.sql.Statement st = holder.createStatement()) {
          st.execute("SET application_name = 'nightly-batch'");
          st.execute("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE");
        }
        long t0 = System.nanoTime();
        Cli.Result verify = Cli.run(dir, env, "verify", "prod");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
        assertThat(verify.err())
            .contains("G7", "pipeline.lock-wait-timeout (3 s)", "nightly-batch")
            .contains("Nothing was changed")
            .doesNotContain("Exception");
        assertThat(seconds)
            .as("refused after the bound, not after pg_dump's own wait")
            .isLessThan(60);
        holder.rollback();
      }
      Cli.Result after = Cli.run(dir, env, "verify", "prod");
      assertThat(after.exit()).as(after.all()).isZero();
    }
  }

  /** A protected 'prod' on {@code db} with V1 ({@code v1}) promoted from CI: the CI variables. */
  private Map<String, String> promotedProd(TestDatabase db, String v1) throws Exception {
    Map<String, String> env = ci(db);
    Files.writeString(
        dir.resolve("prodguard.yml"),
        "environments:\n"
            + "  prod:\n"
            + "    url: ${PROD_DATABASE_URL}\n"
            + "    protected: true\n"
            + "backup: { directory: backups }\n");
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(dir.resolve("db/migration/V1__init.sql"), v1);
    assertThat(Cli.run(dir, env, "init-fingerprint", "prod", "--write-config").exit()).isZero();
    Cli.Result promote = Cli.run(dir, env, "promote", "prod");
    assertThat(promote.exit()).as(promote.all()).isZero();
    return env;
  }

  private static Map<String, String> ci(TestDatabase db) {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put("PROD_DATABASE_URL", db.libpqUrl());
    env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    env.put("GITHUB_ACTOR", "ci-bot");
    // the embedded scratch server's binaries: the cache the other trace tests filled
    env.put("XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache").toString());
    return env;
  }

  @Test
  @DisplayName(
      "G4: verify of a protected PostgreSQL environment traces by default on an embedded scratch"
          + " server and refuses by the contract's trace.max-rewrite-size before any backup; a"
          + " reviewed exception lets the same migration through")
  void verifyRefusesByContractTraceLimitBeforeBackup() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env =
          promotedProd(
              db,
              "CREATE TABLE orders (id INT PRIMARY KEY, note text);\n"
                  + "INSERT INTO orders SELECT g, 'n' FROM generate_series(1, 100000) g;\n");

      Path contract = dir.resolve("prodguard-contract.yml");
      Files.writeString(contract, "version: 1\ntrace: { max-rewrite-size: 1MB }\n");
      Files.writeString(
          dir.resolve("db/migration/V2__token.sql"),
          "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");

      long backupsBefore = files(dir.resolve("backups"));
      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isEqualTo(1);
      assertThat(verify.err())
          .contains("[trace-table-rewrite]", "public.orders", "trace.max-rewrite-size is 1.0 MB")
          .contains("G4");
      Cli.Result backup = Cli.run(dir, env, "backup", "prod");
      assertThat(backup.exit()).as(backup.all()).isEqualTo(1);
      assertThat(backup.err()).contains("verif");
      assertThat(files(dir.resolve("backups"))).as("no backup was taken").isEqualTo(backupsBefore);
      try (java.sql.Connection c = db.connect();
          java.sql.ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT count(*) FROM information_schema.columns WHERE table_name ="
                          + " 'orders' AND column_name = 'token'")) {
        rs.next();
        assertThat(rs.getInt(1)).as("V2 did not run").isZero();
      }

      // one line in prodguard.yml (not the reviewed file) cannot switch the contract's limits off
      Path config = dir.resolve("prodguard.yml");
      String reviewedConfig = Files.readString(config);
      Files.writeString(config, reviewedConfig + "trace: { verify: off }\n");
      Cli.Result off = Cli.run(dir, env, "verify", "prod");
      assertThat(off.exit()).as(off.all()).isEqualTo(1);
      assertThat(off.err()).contains("G4", "the contract sets trace limits", "trace.verify");
      assertThat(files(dir.resolve("backups"))).as("no backup was taken").isEqualTo(backupsBefore);
      // nor a contract that forbids, or raises, a trace rule without a 'trace:' section
      for (String asks :
          List.of(
              "forbidden: [drop-table, trace-table-rewrite]\n",
              "forbidden: [trace-blocking-lock]\n")) {
        Files.writeString(contract, "version: 1\n" + asks);
        Cli.Result disarmed = Cli.run(dir, env, "verify", "prod");
        assertThat(disarmed.exit()).as(asks + disarmed.all()).isEqualTo(1);
        assertThat(disarmed.err()).contains("G4", "trace-* in 'forbidden'");
      }
      // nor the reviewed protected-tables, which trace judges for ACCESS EXCLUSIVE (CLUSTER,
      // VACUUM FULL, REINDEX: lint only warns of a rewrite) (attacker 19/08)
      Path v2 = dir.resolve("db/migration/V2__token.sql");
      String token = Files.readString(v2);
      Files.writeString(v2, "CLUSTER orders USING orders_pkey;\n");
      Files.writeString(contract, "version: 1\nprotected-tables:\n  orders: {}\n");
      Cli.Result cluster = Cli.run(dir, env, "verify", "prod");
      assertThat(cluster.exit()).as(cluster.all()).isEqualTo(1);
      assertThat(cluster.err()).contains("G4", "protected-tables", "trace.verify");
      Files.writeString(v2, token);
      Files.writeString(contract, "version: 1\ntrace: { max-rewrite-size: 1MB }\n");
      Files.writeString(config, reviewedConfig);

      Files.writeString(
          contract,
          "version: 1\n"
              + "trace: { max-rewrite-size: 1MB }\n"
              + "exceptions:\n"
              + "  - { migration: V2, rule: trace-table-rewrite, reason: \"INC-9: maintenance"
              + " window\" }\n");
      Cli.Result reviewed = Cli.run(dir, env, "verify", "prod");
      assertThat(reviewed.exit()).as(reviewed.all()).isZero();
      assertThat(reviewed.err()).contains("[trace-table-rewrite]", "covered: INC-9");
      // G10: the verification's audit row records what let it pass
      Cli.Result audit = Cli.run(dir, env, "audit", "prod");
      assertThat(audit.exit()).as(audit.all()).isZero();
      assertThat(audit.out().lines().filter(l -> l.contains(" verified ")).reduce((a, b) -> b))
          .as(audit.out())
          .hasValueSatisfying(
              row ->
                  assertThat(row)
                      .contains("trace-table-rewrite", "INC-9: maintenance window")
                      .contains("V2__token.sql", "covered_total", "contract_sha256")
                      .contains("allowed_findings", "statements"));
      assertThat(Cli.run(dir, env, "audit", "verify", "prod").exit()).isZero();
    }
  }

  @Test
  @DisplayName(
      "G4: verify and trace of a fresh protected PostgreSQL database (no table but prodguard's"
          + " own) say there is nothing to trace; promote deploys")
  void freshTargetNothingToTrace() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = ci(db);
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n"
              + "  prod:\n"
              + "    url: ${PROD_DATABASE_URL}\n"
              + "    protected: true\n"
              + "backup: { directory: backups }\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__init.sql"),
          "CREATE TABLE orders (id INT PRIMARY KEY, note text);\n"
              + "CREATE INDEX orders_note ON orders (note);\n");
      assertThat(Cli.run(dir, env, "init-fingerprint", "prod", "--write-config").exit()).isZero();

      Cli.Result trace = Cli.run(dir, env, "trace", "prod");
      assertThat(trace.exit()).as(trace.all()).isZero();
      assertThat(trace.out())
          .contains("nothing to trace, the target has no tables")
          .doesNotContain("statement(s) replayed");

      Cli.Result promote = Cli.run(dir, env, "promote", "prod");
      assertThat(promote.exit()).as(promote.all()).isZero();
      assertThat(promote.err()).contains("trace: nothing to trace, the target has no tables");
    }
  }

  @Test
  @DisplayName(
      "G4: a trace interrupted while it replays (SIGTERM, as Ctrl-C) stops and deletes its"
          + " embedded scratch server and ends in one refusal screen, exit 1")
  void interruptedTraceDiscardsEmbeddedServer() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = ci(db);
      env.remove("CI");
      env.putIfAbsent("PATH", System.getenv("PATH"));
      env.putIfAbsent("HOME", System.getProperty("java.io.tmpdir"));
      Files.writeString(
          dir.resolve("prodguard.yml"), "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"), "CREATE TABLE items (id INT PRIMARY KEY);\n");
      assertThat(Cli.run(dir, env, "init-fingerprint", "prod", "--write-config").exit()).isZero();
      Cli.Result deploy = Cli.run(dir, env, "promote", "prod");
      assertThat(deploy.exit()).as(deploy.all()).isZero();
      Files.writeString(dir.resolve("db/migration/V2__slow.sql"), "SELECT pg_sleep(120);\n");
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      java.util.Set<Path> before = embeddedDirs(tmp);

      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-jar",
                  Cli.jar().toString(),
                  "trace",
                  "prod")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("trace.log").toFile());
      pb.environment().clear();
      pb.environment().putAll(env);
      Process p = pb.start();
      try {
        // the replay is in pg_sleep when the embedded server has a backend running it
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
        java.util.Set<Path> started = new java.util.HashSet<>();
        while (System.nanoTime() < deadline && p.isAlive()) {
          started = new java.util.HashSet<>(embeddedDirs(tmp));
          started.removeAll(before);
          if (!started.isEmpty() && sleeping(started)) {
            break;
          }
          Thread.sleep(100);
        }
        assertThat(started).as(Files.readString(dir.resolve("trace.log"))).isNotEmpty();
        assertThat(sleeping(started)).as("the replay reached pg_sleep").isTrue();

        p.destroy(); // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // one refusal screen with the refusal's exit code, not 143 after a database error
        String log = Files.readString(dir.resolve("trace.log"));
        assertThat(p.exitValue()).as(log).isEqualTo(Main.REFUSED);
        assertThat(log)
            .contains("prodguard: refused [G4", "what: trace prod", "interrupted", "fix:")
            .doesNotContain("unexpected failure", "Exception", "\tat ");
        for (Path d : started) {
          assertThat(d).as("the embedded server's directory is deleted").doesNotExist();
        }
        assertThat(processesNaming(started)).isEmpty();
      } finally {
        p.destroyForcibly();
      }
    }
  }

  @Test
  @DisplayName(
      "G4: a trace interrupted while its embedded scratch server is still starting (its"
          + " directory being filled, before the server is known to the trace) deletes that"
          + " directory and leaves no server running, and ends in one refusal screen, exit 1")
  void interruptedWhileEmbeddedServerStarts() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = ci(db);
      env.remove("CI");
      env.putIfAbsent("PATH", System.getenv("PATH"));
      env.putIfAbsent("HOME", System.getProperty("java.io.tmpdir"));
      Files.writeString(
          dir.resolve("prodguard.yml"), "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(
          dir.resolve("db/migration/V1__items.sql"), "CREATE TABLE items (id INT PRIMARY KEY);\n");
      assertThat(Cli.run(dir, env, "init-fingerprint", "prod", "--write-config").exit()).isZero();
      Cli.Result deploy = Cli.run(dir, env, "promote", "prod");
      assertThat(deploy.exit()).as(deploy.all()).isZero();
      Files.writeString(
          dir.resolve("db/migration/V2__col.sql"), "ALTER TABLE items ADD COLUMN a int;\n");
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      java.util.Set<Path> before = embeddedDirs(tmp);

      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-jar",
                  Cli.jar().toString(),
                  "trace",
                  "prod")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("trace.log").toFile());
      pb.environment().clear();
      pb.environment().putAll(env);
      Process p = pb.start();
      try {
        // the start is under way when its directory exists and no server process names it yet
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
        java.util.Set<Path> started = new java.util.HashSet<>();
        while (System.nanoTime() < deadline && p.isAlive()) {
          started = new java.util.HashSet<>(embeddedDirs(tmp));
          started.removeAll(before);
          if (!started.isEmpty()) {
            break;
          }
          Thread.sleep(5);
        }
        assertThat(started).as(Files.readString(dir.resolve("trace.log"))).isNotEmpty();

        p.destroy(); // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C
        assertThat(p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(dir.resolve("trace.log"));
        assertThat(p.exitValue()).as(log).isEqualTo(Main.REFUSED);
        assertThat(log).contains("prodguard: refused [G4", "what: trace prod", "interrupted");
        for (Path d : started) {
          assertThat(d).as("the embedded server's directory is deleted").doesNotExist();
        }
        assertThat(processesNaming(started)).isEmpty();
      } finally {
        p.destroyForcibly();
      }
    }
  }

  /** Sets up prod (fingerprinted, V1 deployed, V2 pending) in {@code dir}; returns its env. */
  private Map<String, String> pendingProd(TestDatabase db) throws Exception {
    Map<String, String> env = ci(db);
    env.remove("CI");
    env.putIfAbsent("PATH", System.getenv("PATH"));
    env.putIfAbsent("HOME", System.getProperty("java.io.tmpdir"));
    Files.writeString(
        dir.resolve("prodguard.yml"), "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n");
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(
        dir.resolve("db/migration/V1__items.sql"), "CREATE TABLE items (id INT PRIMARY KEY);\n");
    assertThat(Cli.run(dir, env, "init-fingerprint", "prod", "--write-config").exit()).isZero();
    Cli.Result deploy = Cli.run(dir, env, "promote", "prod");
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    Files.writeString(
        dir.resolve("db/migration/V2__col.sql"), "ALTER TABLE items ADD COLUMN a int;\n");
    return env;
  }

  /** 'prodguard trace prod' as its own JVM, with its own temporary folder {@code tmp}. */
  private Process traceProcess(Map<String, String> env, Path tmp) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp,
                "-jar",
                Cli.jar().toString(),
                "trace",
                "prod")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("trace.log").toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb.start();
  }

  @Test
  @DisplayName(
      "G4: a trace interrupted while it still prepares (connecting to the target, before any"
          + " scratch file, database or server exists) ends in the one refusal screen, exit 1, not"
          + " the JVM's 130")
  void interruptedWhilePreparing() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL);
        java.net.ServerSocket silent =
            new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Map<String, String> env = pendingProd(db);
      // the target now answers nothing: the trace waits in its first connection, preparing
      env.put(
          "PROD_DATABASE_URL",
          db.libpqUrl().replaceFirst(":[0-9]+/", ":" + silent.getLocalPort() + "/"));
      Path tmp = Files.createDirectories(dir.resolve("tmp"));
      Process p = traceProcess(env, tmp);
      try {
        silent.setSoTimeout(60_000);
        try (java.net.Socket accepted = silent.accept()) {
          Thread.sleep(300); // in the middle of the connection's start-up, nothing made yet
          p.destroy(); // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C
          assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        String log = Files.readString(dir.resolve("trace.log"));
        assertThat(p.exitValue()).as(log).isEqualTo(Main.REFUSED);
        assertThat(log)
            .contains("prodguard: refused [G4", "what: trace prod", "interrupted")
            .contains("nothing was made yet");
        try (var left = Files.list(tmp)) {
          assertThat(left.filter(f -> f.getFileName().toString().startsWith("prodguard-trace-")))
              .isEmpty();
        }
      } finally {
        p.destroyForcibly();
      }
    }
  }

  @Test
  @DisplayName(
      "G4: a trace interrupted while the schema dump runs (pg_dump waiting for a table lock)"
          + " leaves no prodguard-trace-*.err (the dump's error file) nor any other file of its"
          + " own, and ends in the refusal screen, exit 1")
  void interruptedDuringDumpLeavesNoFiles() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env = pendingProd(db);
      Path tmp = Files.createDirectories(dir.resolve("tmp"));
      try (java.sql.Connection holder = db.connect();
          java.sql.Statement st = holder.createStatement()) {
        holder.setAutoCommit(false);
        // pg_dump waits for its ACCESS SHARE lock on items: the dump is under way, its .err open
        st.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
        Process p = traceProcess(env, tmp);
        try {
          long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
          boolean dumping = false;
          while (!dumping && System.nanoTime() < deadline && p.isAlive()) {
            try (var files = Files.list(tmp)) {
              dumping = files.anyMatch(f -> f.getFileName().toString().endsWith(".err"));
            }
            Thread.sleep(5);
          }
          assertThat(dumping).as(Files.readString(dir.resolve("trace.log"))).isTrue();
          p.destroy();
          assertThat(p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
          String log = Files.readString(dir.resolve("trace.log"));
          assertThat(p.exitValue()).as(log).isEqualTo(Main.REFUSED);
          assertThat(log).contains("prodguard: refused [G4", "what: trace prod", "interrupted");
          try (var left = Files.list(tmp)) {
            assertThat(
                    left.map(f -> f.getFileName().toString())
                        .filter(
                            f ->
                                f.startsWith("prodguard-trace-")
                                    && !f.startsWith("prodguard-trace-pg-")))
                .as("files of the trace left in its temporary folder")
                .isEmpty();
          }
        } finally {
          p.destroyForcibly();
          holder.rollback();
        }
      }
    }
  }

  @Test
  @DisplayName(
      "G4: every way a configured scratch server fails (unreachable, the login refused, not"
          + " PostgreSQL) is one refusal screen, exit 1, not an unexpected failure (exit 3); the"
          + " count of statements replayed is those sent, a failing one included")
  void scratchFailuresAreOneScreen() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env =
          promotedProd(db, "CREATE TABLE items (id INT PRIMARY KEY, name text);\n");
      Files.writeString(
          dir.resolve("db/migration/V2__two.sql"),
          "ALTER TABLE items ADD COLUMN a int;\nALTER TABLE items ADD COLUMN b int;\n"
              + "ALTER TABLE no_such_table ADD COLUMN x int;\n");
      Map<String, String> cases = new java.util.LinkedHashMap<>();
      cases.put("postgresql://127.0.0.1:1/x", "cannot reach the scratch server");
      cases.put(
          db.libpqUrl("no_such_role_h17fix").replace(db.name(), "postgres"), "refused the login");
      cases.put("postgresql://root@127.0.0.1:3306/x", "does not speak PostgreSQL's protocol");
      cases.put("mysql://root@127.0.0.1:3306/x", "is not PostgreSQL");
      for (Map.Entry<String, String> c : cases.entrySet()) {
        Cli.Result r = Cli.run(dir, env, "trace", "prod", "--scratch-url", c.getKey());
        assertThat(r.exit()).as(c.getKey() + "\n" + r.all()).isEqualTo(Main.REFUSED);
        assertThat(r.err())
            .as(c.getKey())
            .contains("prodguard: refused [G4", "what: trace prod", c.getValue(), "fix:")
            .contains("--scratch-url", "the scratch database is discarded")
            .doesNotContain("unexpected failure", "Exception");
      }
      Cli.Result traced = Cli.run(dir, env, "trace", "prod");
      assertThat(traced.exit()).as(traced.all()).isEqualTo(1);
      assertThat(traced.out())
          .contains("3 statement(s) replayed (the last one failed)")
          .contains("V2__two.sql line 1", "V2__two.sql line 2", "[trace-statement-failed]");
    }
  }

  @Test
  @DisplayName(
      "G4: a failed statement keeps PostgreSQL's DETAIL (what depends on what); a leading comment"
          + " is not glued onto the statement shown; verify says one line when trace found nothing;"
          + " verify refused for want of a scratch server gives the scratch fix, not 'change the"
          + " migrations'")
  void traceSaysWhatTheServerSaid() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Map<String, String> env =
          promotedProd(
              db,
              "CREATE TABLE items (id INT PRIMARY KEY, name text);\n"
                  + "INSERT INTO items SELECT g, 'n' FROM generate_series(1, 1000) g;\n"
                  + "CREATE VIEW item_names AS SELECT name FROM items;\n");
      Files.writeString(
          dir.resolve("db/migration/V2__comment.sql"),
          "-- a column for the notes\nALTER TABLE items ADD COLUMN note text;\n");
      Files.writeString(
          dir.resolve("db/migration/V3__widen.sql"),
          "ALTER TABLE items ALTER COLUMN name TYPE varchar(20);\n");
      Cli.Result trace = Cli.run(dir, env, "trace", "prod");
      assertThat(trace.exit()).as(trace.all()).isEqualTo(1);
      assertThat(trace.out())
          .contains("V2__comment.sql line 2", "ALTER TABLE items ADD COLUMN note text")
          .contains(
              "cannot alter type of a column used by a view or rule",
              "Detail: rule _RETURN on view item_names depends on column \"name\"")
          .doesNotContain("-- a column for the notes ALTER");

      Files.delete(dir.resolve("db/migration/V2__comment.sql"));
      Files.delete(dir.resolve("db/migration/V3__widen.sql"));
      Files.writeString(
          dir.resolve("db/migration/V2__notes.sql"), "CREATE TABLE notes (id int);\n");
      Map<String, String> noScratch = new HashMap<>(env);
      noScratch.put("PRODGUARD_TRACE_SCRATCH_URL", "postgresql://127.0.0.1:1/x");
      Cli.Result refused = Cli.run(dir, noScratch, "verify", "prod");
      assertThat(refused.exit()).as(refused.all()).isEqualTo(Main.REFUSED);
      assertThat(refused.err())
          .contains("prodguard: refused [G4", "cannot reach the scratch server", "--scratch-url")
          .doesNotContain("change the migrations", "unexpected failure");

      Cli.Result verify = Cli.run(dir, env, "verify", "prod");
      assertThat(verify.exit()).as(verify.all()).isZero();
      assertThat(verify.err())
          .contains(
              "prodguard: trace: 1 statement(s) of 1 pending migration(s) replayed on an embedded"
                  + " PostgreSQL",
              ": no findings");
    }
  }

  @Test
  @DisplayName(
      "trace of a MySQL/MariaDB environment is a usage error (exit 2) that says trace is"
          + " PostgreSQL-only, not a configuration error: nothing is wrong in prodguard.yml")
  void traceOnMariaDbIsPostgresOnly() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.MARIADB)) {
      Files.writeString(
          dir.resolve("prodguard.yml"), "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Map<String, String> env = Map.of("DEV_DATABASE_URL", db.libpqUrl());
      Cli.Result r = Cli.run(dir, env, "trace", "dev");
      assertThat(r.exit()).as(r.all()).isEqualTo(Main.USAGE);
      assertThat(r.err())
          .contains("prodguard: trace is PostgreSQL-only: 'dev' is MySQL/MariaDB")
          .doesNotContain("configuration error", "Exception");
    }
  }

  private static long files(Path d) throws java.io.IOException {
    if (!Files.isDirectory(d)) {
      return 0;
    }
    try (java.util.stream.Stream<Path> s = Files.walk(d)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  /** The embedded servers' directories: in memory ({@code /dev/shm}) or in {@code tmp}. */
  private static java.util.Set<Path> embeddedDirs(Path tmp) throws java.io.IOException {
    java.util.Set<Path> found = new java.util.HashSet<>();
    for (Path root : List.of(tmp, Path.of("/dev/shm"))) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (java.util.stream.Stream<Path> s = Files.list(root)) {
        s.filter(x -> x.getFileName().toString().startsWith("prodguard-trace-pg-"))
            .forEach(found::add);
      }
    }
    return found;
  }

  /** A backend of the embedded server (its command line names its directory) is in pg_sleep. */
  private static boolean sleeping(java.util.Set<Path> dirs) throws java.io.IOException {
    // the postmaster's children show their state in their process title
    return processesNaming(dirs).size() > 0 && serverBackendsBusy();
  }

  private static boolean serverBackendsBusy() throws java.io.IOException {
    try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(x -> x.getFileName().toString().matches("[0-9]+")).toList()) {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
          // the replay's backend: its role (the unprivileged replay role), its scratch database
          if (cmd.startsWith("postgres: prodguard_replay prodguard_trace_")
              && cmd.contains("SELECT")) {
            return true;
          }
        } catch (java.io.IOException gone) {
          // ended meanwhile
        }
      }
    }
    return false;
  }

  private static java.util.List<String> processesNaming(java.util.Set<Path> dirs)
      throws java.io.IOException {
    java.util.List<String> out = new java.util.ArrayList<>();
    try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(x -> x.getFileName().toString().matches("[0-9]+")).toList()) {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
          for (Path d : dirs) {
            if (cmd.contains(d.toString())) {
              out.add(cmd);
            }
          }
        } catch (java.io.IOException gone) {
          // ended meanwhile
        }
      }
    }
    return out;
  }
}
