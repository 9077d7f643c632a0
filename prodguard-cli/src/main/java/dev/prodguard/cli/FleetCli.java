package dev.prodguard.cli;

import dev.prodguard.ci.CiVerifiers;
import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.fleet.FleetMatrix;
import dev.prodguard.fleet.FleetRollout;
import dev.prodguard.fleet.FleetStatus;
import dev.prodguard.fleet.FleetTargets;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.pipeline.ContractLintAnalyzer;
import dev.prodguard.pipeline.Pipeline;
import dev.prodguard.pipeline.SharedAnalysis;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/** The fleet side of promote, status and init-fingerprint (DESIGN section 12). */
final class FleetCli {
  private FleetCli() {}

  /**
   * Each target's pipeline: Flyway, and no per-target progress (the rollout prints its own). What
   * is the same for every target is made once per process: one engine (its parsers configured
   * once), one snapshot of the migration files (read and hashed once: every target verifies, backs
   * up and deploys the same bytes), and the analysis of a pending set (G4), shared by the targets
   * with the same set ({@link SharedAnalysis}).
   */
  static FleetRollout.Pipelines pipelines(CommonOptions common) {
    MigrationEngine engine = PipelineSupport.engine();
    SharedAnalysis analysis = new SharedAnalysis(new ContractLintAnalyzer(engine));
    MigrationFiles[] snapshot = {null};
    return (config, id) -> {
      MigrationFiles files;
      synchronized (snapshot) {
        if (snapshot[0] == null) {
          snapshot[0] = MigrationFiles.read(config, common.context().env());
        }
        files = snapshot[0];
      }
      return new Pipeline(config, common.context(), engine)
          .analyzer(analysis)
          .files(files)
          .progress(Progress.NONE);
    };
  }

  static void usage(CommandLine cmd, String environment, FleetOptions fleet) {
    if (environment != null && fleet.present()) {
      throw new CommandLine.ParameterException(cmd, "give ENV or --fleet NAME, not both");
    }
    if (environment == null && !fleet.present()) {
      throw new CommandLine.ParameterException(cmd, "missing ENV (or --fleet NAME)");
    }
    if (!fleet.present() && (fleet.parallel != null || fleet.shard != null)) {
      throw new CommandLine.ParameterException(cmd, "--parallel and --shard need --fleet NAME");
    }
    try {
      fleet.shard();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    if (fleet.parallel != null && (fleet.parallel < 1 || fleet.parallel > 64)) {
      throw new CommandLine.ParameterException(cmd, "--parallel must be between 1 and 64");
    }
  }

  static int parallel(ProdguardConfig config, FleetOptions o) {
    return o.parallel != null ? o.parallel : config.fleet(o.fleet).parallel();
  }

  static int promote(
      CommonOptions common,
      ProdguardConfig config,
      FleetOptions o,
      Optional<String> wave,
      boolean json,
      PrintWriter out,
      PrintWriter err)
      throws Exception {
    FleetRollout.Options options = new FleetRollout.Options(parallel(config, o), wave, o.shard());
    // on a terminal one live line; in CI logs (no terminal) one plain line per target
    Lines progress = System.console() != null ? new Live(err) : new Lines(err);
    FleetRollout.Report r;
    try {
      r =
          FleetRollout.promote(
              config, o.fleet, common.context(), pipelines(common), options, progress);
    } finally {
      progress.end();
    }
    if (json) {
      out.println(Json.write(r.toJson()));
    } else {
      out.println(
          "fleet '"
              + r.fleet()
              + "'"
              + (r.shard().count() > 1 ? " shard " + r.shard() : "")
              + r.wave().map(w -> " wave '" + w + "'").orElse("")
              + ": "
              + r.count(FleetRollout.State.DEPLOYED)
              + " deployed, "
              + r.count(FleetRollout.State.UP_TO_DATE)
              + " up to date, "
              + r.count(FleetRollout.State.REFUSED)
              + " refused, "
              + r.count(FleetRollout.State.FAILED)
              + " failed, "
              + r.count(FleetRollout.State.NOT_STARTED)
              + " not started");
      for (FleetRollout.TargetResult t : r.targets()) {
        if (t.state().failure()) {
          out.println("  " + t.id() + " " + t.state().label() + ":");
          out.println("    " + t.detail().replace("\n", "\n    "));
        }
      }
      r.haltedBecause().ifPresent(h -> out.println("halted: " + h));
      if (!r.complete()) {
        out.println(
            "Rerun the same command to resume: targets already deployed are skipped (up to date),"
                + " the others are retried.");
      }
    }
    if (r.complete()) {
      return Main.OK;
    }
    return r.count(FleetRollout.State.FAILED) > 0 ? Main.FAILURE : Main.REFUSED;
  }

  static int status(
      CommonOptions common, ProdguardConfig config, FleetOptions o, boolean json, PrintWriter out)
      throws Exception {
    List<FleetStatus.Row> rows =
        FleetStatus.status(
            config, o.fleet, common.context(), pipelines(common), parallel(config, o), o.shard());
    if (json) {
      java.util.Map<String, Object> j = new java.util.LinkedHashMap<>();
      j.put("command", "status");
      j.put("fleet", o.fleet);
      j.put("shard", o.shard().toString());
      j.put("targets", rows.stream().map(FleetStatus.Row::toJson).toList());
      out.println(Json.write(j));
    } else {
      String fmt = "%-24s %-10s %-9s %7s  %-9s %-12s %-52s %s%n";
      out.printf(fmt, "TARGET", "WAVE", "STATE", "PENDING", "VERSION", "DRIFT", "LAST RUN", "LOCK");
      for (FleetStatus.Row r : rows) {
        out.printf(
            fmt,
            r.id(),
            r.wave(),
            r.state(),
            r.pending(),
            r.version().orElse("-"),
            r.drift().map(d -> d.shown()).orElse("-"),
            r.lastRun().orElse("-"),
            r.lockHolder().orElse("-"));
        r.problem().ifPresent(p -> out.println("    " + p.replace("\n", "\n    ")));
        r.drift().filter(d -> d.refuses()).ifPresent(d -> out.println("    drift: " + d.detail()));
      }
      long ok = rows.stream().filter(r -> r.state().equals("ok")).count();
      out.println(rows.size() + " target(s): " + ok + " ok, " + (rows.size() - ok) + " not");
    }
    boolean anyError = rows.stream().anyMatch(r -> r.state().equals("error"));
    return anyError ? Main.REFUSED : Main.OK;
  }

  /**
   * {@code init-fingerprint ID --fleet NAME}: the fleet's targets become environments, so the
   * target is fingerprinted as one; G1 first when the fleet is protected (before the catalog read).
   */
  static ProdguardConfig withTargets(ProdguardConfig config, String fleetName, RunContext context)
      throws Exception {
    FleetConfig fleet = config.fleet(fleetName);
    if (fleet.isProtected()) {
      CiVerifiers.forConfig(config).verify(context, "init-fingerprint --fleet " + fleetName);
    }
    return FleetTargets.asEnvironments(config, fleet, FleetTargets.resolve(config, fleet, context));
  }

  static int matrix(
      ProdguardConfig config,
      String fleet,
      String wave,
      int shards,
      RunContext context,
      PrintWriter out)
      throws Exception {
    out.println(Json.writeLine(FleetMatrix.matrix(config, fleet, wave, shards, context)));
    return Main.OK;
  }

  /** Rollout progress as plain lines (CI logs): one per target as it ends. */
  static class Lines implements FleetRollout.Listener {
    final PrintWriter err;

    Lines(PrintWriter err) {
      this.err = err;
    }

    /** The rollout is over (clears a live line). */
    void end() {}

    @Override
    public synchronized void wave(String wave, int targets) {
      err.println("==> wave '" + wave + "': " + targets + " target(s)");
      err.flush();
    }

    @Override
    public synchronized void finished(FleetRollout.TargetResult r, int done, int total) {
      String line = r.state().failure() ? r.detail().lines().findFirst().orElse("") : r.detail();
      err.printf(
          "[%d/%d] %s %s (%s)%s%n",
          done,
          total,
          r.id(),
          r.state().label(),
          PipelineSupport.seconds(r.millis()),
          line.isEmpty() ? "" : ": " + line);
      err.flush();
    }

    @Override
    public synchronized void halted(String why) {
      err.println("==> halted: " + why);
      err.flush();
    }
  }

  /**
   * Rollout progress on a terminal: one line, redrawn as targets start and end (how many are done,
   * running, and in which state), with a line of its own for each target that is refused or fails.
   */
  static final class Live extends Lines {
    private final long started = System.nanoTime();
    private final java.util.Map<FleetRollout.State, Integer> ended =
        new java.util.EnumMap<>(FleetRollout.State.class);
    private int running;
    private int done;
    private int total;
    private String wave = "";
    private long drawn;

    Live(PrintWriter err) {
      super(err);
    }

    @Override
    public synchronized void wave(String wave, int targets) {
      clear();
      super.wave(wave, targets);
      this.wave = wave;
      draw(true);
    }

    @Override
    public synchronized void started(String targetId) {
      running++;
      draw(false);
    }

    @Override
    public synchronized void finished(FleetRollout.TargetResult r, int done, int total) {
      running = Math.max(0, running - 1);
      this.done = done;
      this.total = total;
      ended.merge(r.state(), 1, Integer::sum);
      if (r.state().failure()) {
        clear();
        super.finished(r, done, total);
      }
      draw(r.state().failure() || done == total);
    }

    @Override
    public synchronized void halted(String why) {
      clear();
      super.halted(why);
    }

    @Override
    synchronized void end() {
      clear();
    }

    private void clear() {
      err.print("\r\033[K");
      err.flush();
    }

    /** At most ten redraws a second, unless {@code now}. */
    private void draw(boolean now) {
      long t = System.nanoTime();
      if (!now && t - drawn < 100_000_000L) {
        return;
      }
      drawn = t;
      StringBuilder sb = new StringBuilder("\r\033[K");
      sb.append('[').append(done).append('/').append(total == 0 ? "?" : total).append("] ");
      sb.append("wave '").append(wave).append("': ").append(running).append(" running");
      for (FleetRollout.State s : FleetRollout.State.values()) {
        int n = ended.getOrDefault(s, 0);
        if (n > 0) {
          sb.append(", ").append(n).append(' ').append(s.label());
        }
      }
      sb.append(" (").append((t - started) / 1_000_000_000L).append(" s)");
      err.print(sb);
      err.flush();
    }
  }
}
