package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Progress;
import dev.prodguard.flyway.FlywayLog;
import dev.prodguard.flyway.FlywayMigrationEngine;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.pipeline.ContractLintAnalyzer;
import dev.prodguard.pipeline.DeployFailure;
import dev.prodguard.pipeline.LeftoverIndex;
import dev.prodguard.pipeline.Pipeline;
import dev.prodguard.pipeline.Run;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Wiring shared by the pipeline commands: Flyway as the engine, terminal progress, output. */
final class PipelineSupport {
  /** Flyway logs through java.util.logging here; prodguard prints its own account. */
  private static final Logger FLYWAY_LOG = Logger.getLogger("org.flywaydb");

  private PipelineSupport() {}

  /**
   * The migration engine every command works with: its discovery, history table and guard
   * artifacts.
   */
  static MigrationEngine engine() {
    return new FlywayMigrationEngine();
  }

  /** Flyway's own log only with --debug. */
  static void flywayLogging(CommonOptions common) {
    FLYWAY_LOG.setLevel(common.debug ? Level.INFO : Level.WARNING);
  }

  static Pipeline pipeline(CommonOptions common, ProdguardConfig config, PrintWriter err) {
    flywayLogging(common);
    boolean terminal = System.console() != null;
    Progress progress = terminal ? new TerminalProgress(err) : new WaitLog(err);
    FlywayLog.route(progress::engineLine, common.debug);
    MigrationEngine engine = engine();
    return new Pipeline(config, common.context(), engine)
        .analyzer(
            new TracingAnalyzer(
                new ContractLintAnalyzer(engine), common.context(), engine, progress, err))
        .progress(progress);
  }

  /** G7: what failed concurrent index builds left in the target, one line each. */
  static void printInvalidIndexes(PrintWriter out, List<LeftoverIndex> invalid) {
    if (invalid.isEmpty()) {
      return;
    }
    out.println("  invalid indexes (G7):");
    for (LeftoverIndex i : invalid) {
      out.println("    ! " + i.describe());
    }
  }

  /** A failed deploy: exit 3 with the run and the backup to restore. */
  static int failed(DeployFailure f, PrintWriter err) {
    err.println("prodguard: deploy failed");
    // Flyway's advice to run it with -X names an option prodguard does not have (--debug is ours)
    String message =
        f.getMessage()
            .replaceAll("(?m)^[ \\t]*Statement[ \\t]*: Run Flyway with -X option[^\\n]*\\n?", "");
    err.println("  " + message.replace("\n", "\n  "));
    return Main.FAILURE;
  }

  static String when(Instant t) {
    return t.toString();
  }

  static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  static String seconds(long millis) {
    return String.format("%.1f s", millis / 1000.0);
  }

  static String left(Instant now, Instant until) {
    Duration d = Duration.between(now, until);
    if (d.isNegative() || d.isZero()) {
      return "expired";
    }
    return d.toMinutes() + "m left";
  }

  static void describeRun(PrintWriter out, Run r) {
    out.println("  run:          " + r.id() + " (" + r.status().db() + ")");
    out.println("  set sha256:   " + r.migrationSetSha256());
    out.println(
        "  contract:     " + r.contractSha256().map(c -> "sha256 " + c).orElse("(no contract)"));
    out.println("  commit:       " + r.commit().orElse("(unknown)"));
    out.println("  by:           " + r.ciSubject());
  }

  /**
   * Without a terminal (CI logs): plain lines, no ANSI, no rewritten line: each migration as it
   * starts and ends (UTC time, duration), what a deploy waits for (G7), and the migration tool's
   * own warnings, so a log shows what ran, how long it took and why a deploy takes long.
   */
  static final class WaitLog implements Progress {
    private final PrintWriter err;
    private final java.time.Clock clock;

    WaitLog(PrintWriter err) {
      this(err, java.time.Clock.systemUTC());
    }

    WaitLog(PrintWriter err, java.time.Clock clock) {
      this.err = err;
      this.clock = clock;
    }

    @Override
    public synchronized void waiting(String message) {
      err.println("prodguard: " + message);
      err.flush();
    }

    @Override
    public synchronized void migrating(String migration) {
      err.println("prodguard: " + now() + " " + migration + ": started");
      err.flush();
    }

    @Override
    public synchronized void migrated(String migration, long millis, boolean applied) {
      err.println(
          "prodguard: "
              + now()
              + " "
              + migration
              + ": "
              + (applied ? "applied in " : "failed after ")
              + duration(millis));
      err.flush();
    }

    @Override
    public synchronized void engineLine(String line) {
      err.println("prodguard: " + line);
      err.flush();
    }

    private String now() {
      return java.time.Instant.now(clock)
          .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
          .toString();
    }
  }

  /** {@code 0.042 s}, {@code 12.3 s}, {@code 4m 05s}. */
  static String duration(long millis) {
    if (millis < 1000) {
      return String.format(java.util.Locale.ROOT, "%.3f s", millis / 1000.0);
    }
    if (millis < 60_000) {
      return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    return String.format(java.util.Locale.ROOT, "%dm %02ds", millis / 60_000, (millis / 1000) % 60);
  }

  /** Progress on a terminal: steps, and a rewritten line while the dump runs. */
  static final class TerminalProgress implements Progress {
    private final PrintWriter err;
    private boolean line;

    TerminalProgress(PrintWriter err) {
      this.err = err;
    }

    @Override
    public synchronized void step(String message) {
      finishLine();
      err.println("==> " + message);
      err.flush();
    }

    @Override
    public synchronized void dumping(String table, int tablesStarted, long bytesWritten) {
      err.print(
          "\r    dumping table "
              + tablesStarted
              + " ("
              + table
              + "), "
              + mib(bytesWritten)
              + " written\u001b[K");
      err.flush();
      line = true;
    }

    @Override
    public synchronized void written(long bytesWritten) {
      err.print("\r    " + mib(bytesWritten) + " written\u001b[K");
      err.flush();
      line = true;
    }

    @Override
    public synchronized void waiting(String message) {
      finishLine();
      err.println("    " + message);
      err.flush();
    }

    @Override
    public synchronized void migrating(String migration) {
      finishLine();
      err.print("    " + migration + " ...");
      err.flush();
      line = true;
    }

    @Override
    public synchronized void migrated(String migration, long millis, boolean applied) {
      err.print(
          "\r    "
              + migration
              + " "
              + (applied ? "\u001b[32mapplied\u001b[0m" : "\u001b[31mfailed\u001b[0m")
              + " ("
              + duration(millis)
              + ")\u001b[K");
      err.println();
      line = false;
      err.flush();
    }

    @Override
    public synchronized void engineLine(String line) {
      finishLine();
      err.println("    " + line);
      err.flush();
    }

    @Override
    public synchronized void done() {
      finishLine();
    }

    private void finishLine() {
      if (line) {
        err.println();
        line = false;
      }
    }
  }
}
