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
import java.util.Optional;

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
    if (!a.refusals().isEmpty() || set.isEmpty() || target.dialect().statementProbe().isEmpty()) {
      return a;
    }
    if (!target.config().trace().inVerify(target.environment().isProtected())) {
      return limitsNeedTrace(target)
          ? new Analysis(
              List.of(
                  "trace: the contract sets trace limits (its 'trace:' section), which only a"
                      + " trace can judge, and prodguard.yml switches the trace of this protected"
                      + " environment off (trace.verify); a setting outside the reviewed contract"
                      + " cannot waive it; fix: remove 'trace: { verify: off }' from prodguard.yml,"
                      + " or drop the limits from the contract through its review"),
              a.contractSha256())
          : a;
    }
    TraceReport r;
    try {
      r =
          new Tracer(target.config(), context, engine, progress)
              .onInterrupt(Main.interrupted(err))
              .trace(target.name(), TraceCommand.scratchServer(null, target.config(), context));
    } catch (GuardRefusal e) {
      return new Analysis(List.of("trace: " + e.why() + "; fix: " + e.fix()), a.contractSha256());
    } catch (SQLException | IOException e) {
      return new Analysis(
          List.of("trace: could not trace the pending migrations: " + e.getMessage()),
          a.contractSha256());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
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
  private static boolean limitsNeedTrace(Target target) {
    return target.environment().isProtected()
        && dev.prodguard.contract.ContractLoader.forConfig(target.config())
            .map(c -> !c.trace().equals(dev.prodguard.contract.Contract.TraceLimits.DEFAULT))
            .orElse(false);
  }
}
