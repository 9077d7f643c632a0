package dev.prodguard.cli;

import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
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
import java.util.Optional;

/**
 * verify's analysis plus trace (docs/trace.md): when {@code $PRODGUARD_TRACE_SCRATCH_URL} names a
 * scratch server and the target is PostgreSQL, the pending migrations are traced after the contract
 * analysis; every trace finding is shown, and its errors refuse the verification (G4). The pipeline
 * and trace are both use cases, so the entry point joins them.
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
    Optional<String> scratch =
        Optional.ofNullable(context.get(TraceCommand.SCRATCH_VARIABLE)).filter(s -> !s.isBlank());
    if (!a.refusals().isEmpty()
        || set.isEmpty()
        || scratch.isEmpty()
        || target.dialect().statementProbe().isEmpty()) {
      return a;
    }
    TraceReport r;
    try {
      r =
          new Tracer(target.config(), context, engine, progress)
              .trace(target.name(), DatabaseUrl.parse(scratch.get()));
    } catch (SQLException | IOException e) {
      return new Analysis(
          List.of("trace: could not trace the pending migrations: " + e.getMessage()),
          a.contractSha256());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    List<String> refusals = new ArrayList<>(a.refusals());
    for (Finding f : r.findings()) {
      err.println("prodguard: trace " + f.severity().id() + " [" + f.rule() + "] " + f.message());
      err.flush();
      if (f.blocking() && f.severity() == Severity.ERROR) {
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
