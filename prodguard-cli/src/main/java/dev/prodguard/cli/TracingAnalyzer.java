package dev.prodguard.cli;

import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.findings.Finding;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.MigrationSources;
import dev.prodguard.pipeline.MigrationAnalyzer;
import dev.prodguard.trace.TraceReport;
import dev.prodguard.trace.Tracer;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * verify's analysis plus trace (docs/trace.md): on PostgreSQL, when {@code trace.verify} says so
 * ({@code protected}, the default: for protected environments), the pending migrations are traced
 * after the contract analysis, on the scratch server {@link TraceCommand#scratchServer} names or an
 * embedded one; every trace finding is shown, and its uncovered errors refuse the verification
 * (G4), so nothing is recorded and backup refuses. A trace that cannot run refuses too (fail
 * closed). The pipeline and trace are both use cases, so the entry point joins them.
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

  @Override
  public Analysis analyse(MigrationSet set, MigrationSources sources, Target target) {
    Analysis a = base.analyse(set, sources, target);
    if (!a.refusals().isEmpty()
        || set.isEmpty()
        || target.dialect().statementProbe().isEmpty()
        || !target.config().trace().inVerify(target.environment().isProtected())) {
      return a;
    }
    TraceReport r;
    java.util.Optional<dev.prodguard.db.DatabaseUrl> scratch =
        TraceCommand.scratchServer(null, target.config(), context);
    try {
      r =
          new Tracer(target.config(), context, engine, progress)
              .onInterrupt(Main.interrupted(err))
              .trace(target.name(), scratch);
    } catch (GuardRefusal e) {
      // trace's own one screen (no scratch server, a statement never replayed, ...): its fix is
      // the right one, not "change the migrations" of a contract refusal
      throw e;
    } catch (SQLException | IOException e) {
      throw new GuardRefusal(
          dev.prodguard.db.Guarantee.G4,
          "verify '" + target.name() + "' with trace",
          "trace could not run, so the pending migrations are not verified: " + e.getMessage(),
          "fix what the message names and run verify again (docs/trace.md)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    List<String> refusals = new ArrayList<>(a.refusals());
    if (r.findings().isEmpty()) {
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
    for (Finding f : r.findings()) {
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
    return new Analysis(refusals, a.contractSha256());
  }
}
