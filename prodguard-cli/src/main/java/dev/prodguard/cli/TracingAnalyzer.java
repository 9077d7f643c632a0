package dev.prodguard.cli;

import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.findings.Finding;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.MigrationSources;
import dev.prodguard.pipeline.MigrationAnalyzer;
import dev.prodguard.trace.TraceReport;
import dev.prodguard.trace.Tracer;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * verify's analysis plus trace (docs/trace.md): on PostgreSQL, when {@code trace.verify} says so
 * ({@code protected}, the default: for protected environments), the pending migrations are traced
 * beside the contract analysis, on the scratch server {@link TraceCommand#scratchServer} names or
 * an embedded one; once the analysis passed, every trace finding is shown, and its uncovered errors
 * refuse the verification (G4), so nothing is recorded and backup refuses. A trace that cannot run
 * refuses too (fail closed). A target without tables has nothing to trace (said so, nothing
 * replayed). The pipeline and trace are both use cases, so the entry point joins them.
 */
final class TracingAnalyzer implements MigrationAnalyzer {
  private final MigrationAnalyzer base;
  private final RunContext context;
  private final MigrationEngine engine;
  private final Progress progress;
  private final java.io.PrintWriter err;

  TracingAnalyzer(
      MigrationAnalyzer base,
      RunContext context,
      MigrationEngine engine,
      Progress progress,
      java.io.PrintWriter err) {
    this.base = base;
    this.context = context;
    this.engine = engine;
    this.progress = progress;
    this.err = err;
  }

  /** The trace {@link #begin} started: of which target, on which snapshot of the files. */
  private record Begun(String env, MigrationFiles files, CompletableFuture<TraceReport> report) {}

  private Begun begun;

  private static boolean traces(Target target) {
    return target.dialect().statementProbe().isPresent()
        && target.config().trace().inVerify(target.environment().isProtected());
  }

  /**
   * Starts the trace when verify starts, beside its checks: the trace only reads the target (its
   * pending set, catalog, {@code pg_dump --schema-only}) and replays on a scratch server after
   * judging the statements itself, so it needs nothing verify decides; its verdict is read in
   * {@link #analyse}, after the contract analysis passed.
   */
  @Override
  public synchronized void begin(Target target, MigrationFiles files) {
    abandon();
    if (traces(target)) {
      begun = new Begun(target.name(), files, start(target, files));
    }
  }

  @Override
  public synchronized void abandon() {
    if (begun != null) {
      settle(begun.report());
      begun = null;
    }
  }

  private CompletableFuture<TraceReport> start(Target target, MigrationFiles files) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return new Tracer(target.config(), context, engine, progress)
                .onInterrupt(Main.interrupted(err))
                .trace(
                    target.name(),
                    TraceCommand.scratchServer(null, target.config(), context),
                    files);
          } catch (SQLException | IOException e) {
            throw new CompletionException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
          }
        },
        TRACES);
  }

  @Override
  public synchronized Analysis analyse(MigrationSet set, MigrationSources sources, Target target) {
    if (set.isEmpty() || !traces(target)) {
      abandon();
      Analysis a = base.analyse(set, sources, target);
      if (!set.isEmpty()
          && a.refusals().isEmpty()
          && target.dialect().statementProbe().isPresent()
          && limitsNeedTrace(target)) {
        return new Analysis(
            List.of(
                "trace: the contract sets trace limits (its 'trace:' section), forbids trace"
                    + " findings (trace-* in 'forbidden') or protects tables (protected-tables:"
                    + " ACCESS EXCLUSIVE on one is trace's finding), which only a"
                    + " trace can judge, and prodguard.yml switches the trace of this protected"
                    + " environment off (trace.verify); a setting outside the reviewed contract"
                    + " cannot waive it; fix: remove 'trace: { verify: off }' from prodguard.yml,"
                    + " or drop them from the contract through its review"),
            a.contractSha256());
      }
      return a;
    }
    // the trace (an embedded server's start, the schema copy, the replay: seconds) runs beside the
    // contract analysis, started by begin on the same snapshot of the files, else now
    CompletableFuture<TraceReport> traced;
    if (begun != null && begun.env().equals(target.name()) && begun.files() == sources.files()) {
      traced = begun.report();
    } else {
      abandon();
      traced = start(target, sources.files());
    }
    begun = null;
    Analysis a;
    try {
      a = base.analyse(set, sources, target);
    } catch (RuntimeException | Error e) {
      settle(traced);
      throw e;
    }
    if (!a.refusals().isEmpty()) {
      settle(traced); // refused already: the trace's own verdict changes nothing
      return a;
    }
    TraceReport r;
    java.util.Optional<dev.prodguard.db.DatabaseUrl> scratch =
        TraceCommand.scratchServer(null, target.config(), context);
    try {
      r = traced.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof GuardRefusal g) {
        // trace's own one screen (no scratch server, a statement never replayed, ...): its fix is
        // the right one, not "change the migrations" of a contract refusal
        throw g;
      }
      if (c instanceof SQLException || c instanceof IOException) {
        throw new GuardRefusal(
            dev.prodguard.db.Guarantee.G4,
            "verify '" + target.name() + "' with trace",
            "trace could not run, so the pending migrations are not verified: " + c.getMessage(),
            "fix what the message names and run verify again (docs/trace.md)");
      }
      if (c instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(c);
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
    List<String> verified = set.pending().stream().map(p -> p.file().relativePath()).toList();
    if (!r.pendingFiles().equals(verified)) {
      // fail closed: the verdict must be about the set verify records
      return new Analysis(
          List.of(
              "trace: the pending migrations changed while verify ran (traced "
                  + r.pendingFiles().size()
                  + ", verified "
                  + verified.size()
                  + "): another deploy or a repair ran; run verify again"),
          a.contractSha256());
    }
    if (r.nothingToTrace()) {
      err.println("prodguard: trace: " + TraceReport.NOTHING_TO_TRACE);
      err.flush();
    } else if (r.findings().isEmpty()) {
      err.println(
          "prodguard: trace: "
              + r.replayed()
              + " statement(s) of "
              + r.pendingMigrations()
              + " pending migration(s) replayed on "
              + (scratch.isPresent() ? "the scratch server" : "an embedded PostgreSQL ")
              + (scratch.isPresent() ? "" : Integer.toString(r.serverMajor()))
              + " in "
              + PipelineSupport.seconds(r.copyMillis() + r.replayMillis())
              + ": no findings");
      err.flush();
    }
    List<String> refusals = new ArrayList<>(a.refusals());
    List<Finding> covered = new ArrayList<>(a.covered());
    java.util.Map<String, Integer> allowed = new java.util.TreeMap<>();
    for (Finding f : r.findings()) {
      if (f.covered()) {
        covered.add(f);
      }
      if (!f.blocking()) {
        allowed.merge(f.rule(), 1, Integer::sum);
      }
      err.println(
          "prodguard: trace "
              + f.severity().id()
              + " ["
              + f.rule()
              + "] "
              + f.message()
              + (f.covered() ? " (covered: " + f.coveredBy().justification() + ")" : ""));
      err.flush();
      if (f.blocking()) {
        refusals.add(
            "trace ["
                + f.rule()
                + "] "
                + f.message()
                + (f.recipe() == null ? "" : "; fix: " + f.recipe()));
      }
    }
    return new Analysis(
        refusals,
        a.contractSha256(),
        a.deployFailures(),
        covered,
        Optional.of(new Traced(r.statements().size(), allowed)));
  }

  /**
   * The reviewed contract of a protected environment sets its own trace limits: they are judged
   * only by a trace, so {@code trace.verify} in prodguard.yml cannot switch it off.
   */
  /**
   * Whether the reviewed contract asks for trace's facts on a protected environment: its own {@code
   * trace:} limits, a trace rule in {@code forbidden}, or a trace rule's severity raised by {@code
   * severity:}. A setting in prodguard.yml (outside the contract's review) cannot waive them.
   */
  static boolean limitsNeedTrace(Target target) {
    return target.environment().isProtected()
        && dev.prodguard.contract.ContractLoader.forConfig(target.config())
            .map(TracingAnalyzer::asksForTrace)
            .orElse(false);
  }

  static boolean asksForTrace(dev.prodguard.contract.Contract c) {
    if (!c.trace().equals(dev.prodguard.contract.Contract.TraceLimits.DEFAULT)) {
      return true;
    }
    // the reviewed protected-tables: ACCESS EXCLUSIVE on one (CLUSTER, VACUUM FULL, REINDEX, a
    // rewrite lint only warns about) is judged only by trace while access-exclusive-on-protected
    // holds, its default (attacker 19/08: trace.verify off waived the protection)
    if (!c.protectedTables().isEmpty() && c.trace().accessExclusiveOnProtected()) {
      return true;
    }
    for (dev.prodguard.findings.RuleInfo rule : new dev.prodguard.trace.TraceRules().rules()) {
      if (c.forbidden().contains(rule.id())) {
        return true;
      }
    }
    return false;
  }

  /** Waits for a trace whose verdict is not needed: it stops its scratch server when it ends. */
  private static void settle(CompletableFuture<TraceReport> traced) {
    try {
      traced.join();
    } catch (CompletionException | java.util.concurrent.CancellationException ignored) {
      // its verdict is not needed
    }
  }

  /** One daemon thread per trace (the JVM may exit while one runs: Ctrl-C stops its server). */
  private static final Executor TRACES =
      r -> {
        Thread t = new Thread(r, "prodguard-trace");
        t.setDaemon(true);
        t.start();
      };
}
