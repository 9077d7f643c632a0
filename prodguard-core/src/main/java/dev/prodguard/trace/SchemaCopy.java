package dev.prodguard.trace;

import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.support.DatabaseObjects;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.StatementProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Copies the target's schema, no rows, no tablespaces, into the scratch database with the server's
 * own tools ({@code pg_dump --schema-only --format=custom} into a private temporary file, {@code
 * pg_restore} of the entries that stay inside the database from it), then drops what would refuse
 * or divert a replay there (event triggers, prodguard's DDL guard among them). prodguard's own
 * tables are not copied. On the target, {@code pg_dump} reads the catalog and takes ACCESS SHARE on
 * each table for the length of the dump, as any query does: it reads no rows.
 */
final class SchemaCopy {
  private static final long TIMEOUT_MINUTES = 30;

  private SchemaCopy() {}

  /** The target's schema (no rows, prodguard's tables left out) into {@code script}. */
  static void dump(
      DatabaseSupport d,
      StatementProbe probe,
      Optional<Path> binDir,
      DatabaseUrl target,
      java.time.Duration lockWait,
      Path script)
      throws IOException, InterruptedException {
    List<String> dump = new ArrayList<>(probe.schemaDumpCommand(binDir, lockWait));
    for (String own : DatabaseObjects.TABLES) {
      dump.add("--exclude-table=" + own);
    }
    try (var t = dev.prodguard.db.PhaseTimer.start("trace.schema dump")) {
      run(dump, d, target, Optional.of(script), "the schema dump of the target");
    } catch (ClientFailure e) {
      if (probe.dumpLockTimedOut(e.clientError)) {
        throw new LockWaitExceeded(e);
      }
      throw e;
    }
  }

  /**
   * The archive {@code script} into the scratch database, as the scratch server's superuser: every
   * entry but those that reach beyond it ({@link StatementProbe#copiedToScratch}: wrappers, foreign
   * servers, user mappings and their credentials are never copied; the target's {@code servers} are
   * recreated by name on a wrapper with no handler, so foreign tables are copied but nothing reads
   * or writes through them); then what would refuse a replay there dropped, and the copied objects
   * given to {@code owner}, the unprivileged role that replays, when there is one.
   */
  static void load(
      DatabaseSupport d,
      StatementProbe probe,
      Optional<Path> binDir,
      Path script,
      ScratchDatabase scratch,
      List<String> servers,
      Optional<String> owner)
      throws IOException, InterruptedException, SQLException {
    load(d, probe, binDir, script, scratch, servers, owner, List.of());
  }

  /**
   * Like {@link #load(DatabaseSupport, StatementProbe, Optional, Path, ScratchDatabase, List,
   * Optional)}, with what of the target reaches beyond its database ({@code stubs}: extensions such
   * as dblink, routines in untrusted languages) not restored but replaced by stubs that raise
   * ({@link StatementProbe#loadPlan}): the replay runs the target's functions and triggers.
   */
  static void load(
      DatabaseSupport d,
      StatementProbe probe,
      Optional<Path> binDir,
      Path script,
      ScratchDatabase scratch,
      List<String> servers,
      Optional<String> owner,
      List<StatementProbe.Stub> stubs)
      throws IOException, InterruptedException, SQLException {
    dev.prodguard.db.PhaseTimer.Laps laps = dev.prodguard.db.PhaseTimer.laps("trace.schema load");
    Path toc = temporary(".list");
    try {
      run(
          d.dumpTool().listCommand(binDir, script),
          d,
          scratch.url(),
          Optional.of(toc),
          "reading the schema dump's table of contents");
      laps.lap("list");
      List<String> kept = new ArrayList<>();
      for (String line : Files.readAllLines(toc, StandardCharsets.UTF_8)) {
        if (probe.copiedToScratch(line)) {
          kept.add(line);
        }
      }
      try (Connection c = scratch.connect();
          Statement st = c.createStatement()) {
        for (String sql : probe.beforeScratchLoad(servers)) {
          st.execute(sql);
        }
      }
      for (StatementProbe.LoadStep step : probe.loadPlan(kept, stubs)) {
        Files.write(toc, step.entries(), StandardCharsets.UTF_8);
        run(
            probe.schemaLoadCommand(binDir, script, toc, scratch.name()),
            d,
            scratch.url(),
            Optional.empty(),
            "loading the schema into the scratch database");
        if (!step.after().isEmpty()) {
          try (Connection c = scratch.connect();
              Statement st = c.createStatement()) {
            for (String sql : step.after()) {
              st.execute(sql);
            }
          }
        }
      }
      laps.lap("pg_restore");
    } finally {
      deleteTemporary(toc);
    }
    try (Connection c = scratch.connect();
        Statement st = c.createStatement()) {
      for (String sql : probe.prepareScratch(owner)) {
        st.execute(sql);
      }
    }
    laps.lap("prepare");
  }

  /** How long filling one materialized view of the copy may take (its tables are empty). */
  static final int POPULATE_SECONDS = 60;

  /**
   * Fills the copy's materialized views that hold data on the target ({@code populated}): {@code
   * pg_dump --schema-only} creates them empty, and {@code REFRESH MATERIALIZED VIEW CONCURRENTLY}
   * refuses an empty view, so without this the trace reported a failure the deploy does not have.
   * Run as the replay's role (their owner, never a superuser: the views' queries and the functions
   * they call run), on the copy's empty tables; a view that cannot be filled stays empty.
   */
  static void populate(StatementProbe probe, ScratchDatabase scratch, List<String> populated)
      throws SQLException {
    if (populated.isEmpty()) {
      return;
    }
    try (Connection c = scratch.connectReplay()) {
      probe.populate(c, populated, POPULATE_SECONDS);
    }
  }

  /** A client tool that exited with an error: {@code clientError} is what it printed. */
  static class ClientFailure extends IOException {
    final transient String clientError;

    ClientFailure(String message, String clientError) {
      super(message);
      this.clientError = clientError;
    }
  }

  /**
   * The schema dump gave up waiting for a lock another session holds on a table of the target
   * ({@code pipeline.lock-wait-timeout}).
   */
  static final class LockWaitExceeded extends IOException {
    LockWaitExceeded(ClientFailure e) {
      super(e.getMessage(), e);
    }
  }

  private static void run(
      List<String> cmd, DatabaseSupport d, DatabaseUrl url, Optional<Path> stdout, String what)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    for (String prefix : d.dumpTool().clearedVariablePrefixes()) {
      env.keySet().removeIf(k -> k.startsWith(prefix));
    }
    env.putAll(d.dumpTool().processEnvironment(url));
    env.put("PGAPPNAME", "prodguard-trace");
    Path err = temporary(".err");
    try {
      pb.redirectError(err.toFile());
      if (stdout.isPresent()) {
        pb.redirectOutput(stdout.get().toFile());
      } else {
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      }
      Process p = pb.start();
      if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException(what + " took longer than " + TIMEOUT_MINUTES + " minutes");
      }
      if (p.exitValue() != 0) {
        String text = Files.readString(err, StandardCharsets.UTF_8).strip();
        throw new ClientFailure(
            what
                + " failed ("
                + cmd.get(0)
                + " exit "
                + p.exitValue()
                + "): "
                + (text.length() > 2000 ? text.substring(0, 2000) + "..." : text),
            text);
      }
    } finally {
      deleteTemporary(err);
    }
  }

  /**
   * The temporary files of the dump and load steps now in use ({@code /tmp/prodguard-trace-*.err},
   * {@code .list}): the trace's interruption hook deletes them ({@link #discardTemporaryFiles}),
   * since the JVM then halts and no {@code finally} of the interrupted step runs.
   */
  private static final java.util.Set<Path> TEMPORARY =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static Path temporary(String suffix) throws IOException {
    Path p = Files.createTempFile("prodguard-trace-", suffix);
    TEMPORARY.add(p);
    return p;
  }

  private static void deleteTemporary(Path p) throws IOException {
    try {
      Files.deleteIfExists(p);
    } finally {
      TEMPORARY.remove(p);
    }
  }

  /** Deletes every temporary file of a dump or load still in use; for the interruption hook. */
  static void discardTemporaryFiles() {
    for (Path p : List.copyOf(TEMPORARY)) {
      try {
        deleteTemporary(p);
      } catch (IOException | RuntimeException e) {
        // best effort: the hook is ending the process
      }
    }
  }
}
