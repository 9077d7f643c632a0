package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.fleet.FleetMatrix;
import dev.prodguard.fleet.FleetRollout;
import dev.prodguard.fleet.FleetStatus;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.MigrationSources;
import dev.prodguard.pipeline.ContractLintAnalyzer;
import dev.prodguard.pipeline.MigrationAnalyzer;
import dev.prodguard.pipeline.Pipeline;
import dev.prodguard.pipeline.SharedAnalysis;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/** The fleet side of promote, status and init-fingerprint (DESIGN section 12). */
final class FleetCli {
  /**
   * The target whose pipeline this worker thread runs: Flyway's logging is process-wide, and a
   * target's Flyway runs on the thread that made its pipeline, so its warnings are named by it.
   */
  private static final ThreadLocal<String> TARGET = new ThreadLocal<>();

  private FleetCli() {}

  /** Flyway's warnings during a rollout, one line each, prefixed with the target's id. */
  static void routeEngineLines(CommonOptions common, PrintWriter err) {
    PipelineSupport.flywayLogging(common);
    dev.prodguard.flyway.FlywayLog.route(
        line -> {
          String id = TARGET.get();
          synchronized (err) {
            err.println("prodguard: " + (id == null ? "" : id + ": ") + line);
            err.flush();
          }
        },
        common.debug);
  }

  /**
   * Each target's pipeline: Flyway, and no per-target progress (the rollout prints its own). What
   * is the same for every target is made once per process: one engine (its parsers configured
   * once), one snapshot of the migration files (read and hashed once: every target verifies, backs
   * up and deploys the same bytes), and the analysis of a pending set (G4), shared by the targets
   * with the same set ({@link SharedAnalysis}).
   */
  /** Pipelines that read the targets only (status, the wave order): they never analyse. */
  static FleetRollout.Pipelines pipelines(CommonOptions common) {
    return pipelines(common, new PrintWriter(java.io.Writer.nullWriter()));
  }

  static FleetRollout.Pipelines pipelines(CommonOptions common, PrintWriter err) {
    MigrationEngine engine = PipelineSupport.engine();
    SharedAnalysis analysis = new SharedAnalysis(new ContractLintAnalyzer(engine));
    MigrationFiles[] snapshot = {null};
    return (config, id) -> {
      TARGET.set(id);
      MigrationFiles files;
      synchronized (snapshot) {
        if (snapshot[0] == null) {
          snapshot[0] = MigrationFiles.read(config, common.context().env());
        }
        files = snapshot[0];
      }
      return new Pipeline(config, common.context(), engine)
          .analyzer(
              new MemberAnalysis(
                  analysis,
                  () ->
                      new TracingAnalyzer(
                          new ContractLintAnalyzer(engine),
                          common.context(),
                          engine,
                          Progress.NONE,
                          new MemberLines(err, id))))
          .files(files)
          .backupInItsStep()
          .progress(Progress.NONE);
    };
  }

  /**
   * G4 for one member of a rollout. The rollout's verify does not trace (an embedded server per
   * target would cost seconds each), so the analysis is the one shared by every member with the
   * same pending set; but a member whose reviewed contract asks for trace's facts (its {@code
   * trace:} limits, a trace rule in {@code forbidden}) is traced on its own, exactly as {@code
   * promote ENV} traces it: its limits are judged against its own tables' sizes, never waived by
   * the rollout.
   */
  static final class MemberAnalysis implements MigrationAnalyzer {
    private final MigrationAnalyzer shared;
    private final java.util.function.Supplier<TracingAnalyzer> tracing;
    private TracingAnalyzer own;

    MemberAnalysis(MigrationAnalyzer shared, java.util.function.Supplier<TracingAnalyzer> tracing) {
      this.shared = shared;
      this.tracing = tracing;
    }

    private synchronized MigrationAnalyzer of(Target target) {
      if (!TracingAnalyzer.limitsNeedTrace(target)) {
        return shared;
      }
      if (own == null) {
        own = tracing.get();
      }
      return own;
    }

    @Override
    public Analysis analyse(MigrationSet set, MigrationSources sources, Target target) {
      return of(target).analyse(set, sources, target);
    }

    @Override
    public void begin(Target target, MigrationFiles files) {
      of(target).begin(target, files);
    }

    @Override
    public synchronized void abandon() {
      if (own != null) {
        own.abandon();
      }
      shared.abandon();
    }
  }

  /** A member's trace lines on the rollout's error stream, named by the member: one line each. */
  private static final class MemberLines extends PrintWriter {
    private final PrintWriter err;
    private final String id;

    MemberLines(PrintWriter err, String id) {
      super(java.io.Writer.nullWriter());
      this.err = err;
      this.id = id;
    }

    @Override
    public void println(String line) {
      synchronized (err) {
        err.println(
            line.startsWith("prodguard: ")
                ? "prodguard: " + id + ": " + line.substring("prodguard: ".length())
                : "prodguard: " + id + ": " + line);
        err.flush();
      }
    }

    @Override
    public void println(Object line) {
      println(String.valueOf(line));
    }
  }

  /**
   * ENV, or --fleet NAME (every target, or --shard of them), or both: ENV is then one target of the
   * fleet ({@link FleetTargetOption}).
   */
  static void usage(CommandLine cmd, String environment, FleetOptions fleet) {
    if (environment != null && (fleet.parallel != null || fleet.shard != null)) {
      throw new CommandLine.ParameterException(
          cmd, "--parallel and --shard are for a whole fleet: give --fleet NAME without ENV");
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

  /** ENV as one target of fleet {@code o.fleet}, or ENV as an environment when none is given. */
  static FleetTargetOption target(FleetOptions o) {
    FleetTargetOption t = new FleetTargetOption();
    t.fleet = o.fleet;
    return t;
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
    if (config.trace().verify() != ProdguardConfig.TraceInVerify.OFF) {
      // said, not implied: a reader of trace.verify would expect the fleet's verify to trace
      err.println(
          "prodguard: promote --fleet verifies without trace (docs/trace.md#in-verify), except"
              + " members whose contract sets trace limits or forbids trace findings (each traced"
              + " on its own): run 'prodguard trace ENV' on a member to see what the pending"
              + " migrations do");
    }
    if (config.fleet(o.fleet).isProtected()
        && config.backup().s3().isEmpty()
        && common.context().claimsCi()) {
      // CI jobs and pods are mostly ephemeral: the backup G9 promised would leave with the runner
      err.println(
          "prodguard: warning: fleet '"
              + o.fleet
              + "' keeps its backups on this machine (backup.store: local, in "
              + config.backup().directory()
              + "): on an ephemeral CI runner or pod they vanish when the job ends, and with them"
              + " the backup a failed target names; set backup.store: s3"
              + " (docs/configuration.md#backups-and-local-state)");
    }
    // on a terminal one live line; in CI logs (no terminal) one plain line per target
    Lines progress = System.console() != null ? new Live(err) : new Lines(err);
    routeEngineLines(common, err);
    FleetRollout.Report r;
    try {
      r =
          FleetRollout.promote(
              config, o.fleet, common.context(), pipelines(common, err), options, progress);
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
              + (r.count(FleetRollout.State.UNREACHABLE) > 0
                  ? r.count(FleetRollout.State.UNREACHABLE) + " unreachable, "
                  : "")
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
      List<String[]> cells = new java.util.ArrayList<>();
      cells.add(
          new String[] {
            "TARGET", "WAVE", "STATE", "PENDING", "VERSION", "DRIFT", "LAST RUN", "LOCK"
          });
      for (FleetStatus.Row r : rows) {
        cells.add(
            new String[] {
              r.id(),
              r.wave(),
              r.state(),
              r.pending().map(String::valueOf).orElse("-"),
              r.version().orElse("-"),
              r.drift().map(d -> d.shown()).orElse("-"),
              r.lastRun().orElse("-"),
              r.lockHolder().orElse("-")
            });
      }
      String fmt = columns(cells);
      out.printf(fmt, (Object[]) cells.get(0));
      for (int i = 0; i < rows.size(); i++) {
        FleetStatus.Row r = rows.get(i);
        out.printf(fmt, (Object[]) cells.get(i + 1));
        r.problem().ifPresent(p -> out.println("    " + p.replace("\n", "\n    ")));
        r.drift().filter(d -> d.refuses()).ifPresent(d -> out.println("    drift: " + d.detail()));
      }
      out.println(summary(rows));
    }
    boolean anyError = rows.stream().anyMatch(r -> r.state().equals("error"));
    return anyError ? Main.REFUSED : Main.OK;
  }

  /**
   * A printf format for {@code cells} (a header row first): each column as wide as its widest cell,
   * PENDING right-aligned, the last column unpadded; so long versions (alf.io's {@code
   * 207.2.0.0.61}) or ids keep the rows aligned.
   */
  static String columns(List<String[]> cells) {
    int n = cells.get(0).length;
    int[] width = new int[n];
    for (String[] row : cells) {
      for (int i = 0; i < n; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder fmt = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        fmt.append("  ");
      }
      if (i == n - 1) {
        fmt.append("%s");
      } else if (i == 3) {
        fmt.append("%").append(width[i]).append("s");
      } else {
        fmt.append("%-").append(width[i]).append("s");
      }
    }
    return fmt.append("%n").toString();
  }

  /** {@code 10 target(s): 7 ok, 2 pending, 1 drifted}: how many targets are in each state. */
  static String summary(List<FleetStatus.Row> rows) {
    java.util.Map<String, Long> byState = new java.util.LinkedHashMap<>();
    byState.put("ok", 0L);
    for (FleetStatus.Row r : rows) {
      byState.merge(r.state(), 1L, Long::sum);
    }
    StringBuilder s = new StringBuilder(rows.size() + " target(s): ");
    String sep = "";
    for (java.util.Map.Entry<String, Long> e : byState.entrySet()) {
      s.append(sep).append(e.getValue()).append(' ').append(e.getKey());
      sep = ", ";
    }
    return s.toString();
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
   * running, and in which state), and once a second while they run (the clock), with a line of its
   * own for each target that is refused or fails.
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
    private java.util.concurrent.ScheduledExecutorService ticker;
    private boolean over;

    Live(PrintWriter err) {
      super(err);
    }

    @Override
    public synchronized void wave(String wave, int targets) {
      clear();
      super.wave(wave, targets);
      this.wave = wave;
      draw(true);
      tick();
    }

    /**
     * A target that starts is drawn at once: the starts of a wave come together, right after the
     * wave's own line, and a throttled draw would show "0 running" until the first one ended.
     */
    @Override
    public synchronized void started(String targetId) {
      running++;
      draw(true);
    }

    /** Redraws the line once a second, so its clock moves while long migrations run. */
    private void tick() {
      if (ticker != null || over) {
        return;
      }
      ticker =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "prodguard-fleet-progress");
                t.setDaemon(true);
                return t;
              });
      ticker.scheduleAtFixedRate(
          () -> {
            synchronized (this) {
              if (!over) {
                draw(true);
              }
            }
          },
          1,
          1,
          java.util.concurrent.TimeUnit.SECONDS);
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
      over = true;
      if (ticker != null) {
        ticker.shutdownNow();
      }
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
