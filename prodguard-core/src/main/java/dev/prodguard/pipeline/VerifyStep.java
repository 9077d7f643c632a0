package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.support.DatabaseSupport;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code verify} (G4, G7): refuses while a guard is missing or the lock is held, analyses what the
 * deploy will run, and records a run bound to the exact pending set, its contract and commit.
 */
final class VerifyStep {
  private final StepContext s;
  private final PipelineGuards guards;
  private final AuditTrail trail;
  private final ProdguardConfig config;
  private final RunContext context;
  private final MigrationEngine engine;
  private final Progress progress;

  VerifyStep(StepContext s) {
    this.s = s;
    this.guards = new PipelineGuards(s);
    this.trail = new AuditTrail(s);
    this.config = s.config;
    this.context = s.context;
    this.engine = s.engine;
    this.progress = s.progress;
  }

  Results.Verify verify(String env) throws SQLException {
    String what = "verify " + env;
    Target target = s.prepare(env, Target.Access.MUTATE, what);
    MigrationFiles files = s.files();
    progress.step("verifying '" + env + "'");
    // trace (the CLI's analyzer) starts its scratch server and schema copy beside the checks below
    s.analyzer.begin(target, files);
    try (StepContext.Control control = s.control(target)) {
      Connection c = control.connection();
      try {
        Results.Verify v = verifyOn(target, files, c, env, what);
        trail.audit(
            c,
            target,
            "verify",
            v.run(),
            v.upToDate() ? "up_to_date" : "verified",
            Map.of("pending", v.set().pending().size()));
        return v;
      } catch (GuardRefusal r) {
        throw trail.auditRefusal(c, target, "verify", r);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    } finally {
      s.analyzer.abandon();
    }
  }

  private Results.Verify verifyOn(
      Target target, MigrationFiles files, Connection c, String env, String what)
      throws SQLException, IOException, InterruptedException {
    DatabaseSupport d = target.dialect();
    guards.requireSessionKept(target, c, what);
    PipelineSchema.ensure(c, d);
    RunStore store = new RunStore(c, d);
    guards.reapStale(c, d, store);
    guards.refuseWhileLocked(c, d, store, env, what);
    guards.requireRecordedProtection(c, target, what);
    guards.requireGuards(c, target, what);
    new DriftStep(s).requireNoDrift(c, target, what);
    MigrationSet set = guards.currentSet(target, files, what, true);
    MigrationAnalyzer.Analysis analysis = guards.requireAnalysed(set, files, target, what);
    List<LeftoverIndex> invalid =
        new Leftovers(target, engine, config.pipeline().lockWaitTimeout())
            .invalidIndexes(c, store, env);
    if (set.isEmpty()) {
      return new Results.Verify(env, Optional.empty(), set, invalid);
    }
    Instant now = s.now();
    Instant expires = now.plus(config.pipeline().verificationTtl());
    String id = StepContext.newRunId();
    Run run =
        Run.verified(
            id,
            env,
            new Run.Origin(
                set, analysis.contractSha256(), s.commit(), s.subject(target), s.createdBy()),
            now,
            expires);
    for (Run open : store.open(env)) {
      store.markExpired(open.id(), open.status(), "superseded by run " + id, now);
    }
    store.insert(run);
    if (s.promoteLock.isPresent()) {
      // G8: a promote holds the deploy lock from here to its deploy; a refused step names this run
      store.claim(id, s.promoteLock.get(), context.hostName(), now);
    }
    return new Results.Verify(env, store.find(id), set, invalid);
  }
}
