package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Progress;
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
    Progress progress = System.console() != null ? new TerminalProgress(err) : new WaitLog(err);
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
    err.println("  " + f.getMessage().replace("\n", "\n  "));
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
   * Without a terminal (CI logs): only what a deploy waits for (G7), so a log shows why a deploy
   * takes long and what it gives up on.
   */
  static final class WaitLog implements Progress {
    private final PrintWriter err;

    WaitLog(PrintWriter err) {
      this.err = err;
    }

    @Override
    public synchronized void waiting(String message) {
      err.println("prodguard: " + message);
      err.flush();
    }
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
