package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.db.Redactor;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.findings.Finding;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.support.DatabaseSupport;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    MigrationFiles files;
    try (var t = dev.prodguard.db.PhaseTimer.start("verify.files")) {
      files = s.files();
    }
    progress.step("verifying '" + env + "'");
    // trace (the CLI's analyzer) starts its scratch server and schema copy beside the checks below
    s.analyzer.begin(target, files);
    try (StepContext.Control control = s.control(target)) {
      Connection c = control.connection();
      try {
        Map<String, Object> details = new LinkedHashMap<>();
        Results.Verify v = verifyOn(target, files, c, env, what, details);
        try (var t = dev.prodguard.db.PhaseTimer.start("verify.audit")) {
          trail.audit(
              c, target, "verify", v.run(), v.upToDate() ? "up_to_date" : "verified", details);
        }
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

  /**
   * Verifies and fills {@code details}, the audit row's: the pending count, and what the
   * verification relied on (G10, docs/g10-audit.md): the contract hash, every reviewed exception
   * that covered a finding (at most {@link #LISTED}; the total is counted), what a trace in verify
   * did, and a deploy that died since the recorded schema when it explained the drift reading.
   */
  private Results.Verify verifyOn(
      Target target,
      MigrationFiles files,
      Connection c,
      String env,
      String what,
      Map<String, Object> details)
      throws SQLException, IOException, InterruptedException {
    DatabaseSupport d = target.dialect();
    dev.prodguard.db.PhaseTimer.Laps laps = dev.prodguard.db.PhaseTimer.laps("verify");
    guards.requireSessionKept(target, c, what);
    PipelineSchema.ensure(c, d);
    RunStore store = new RunStore(c, d);
    guards.reapStale(target, c, d, store);
    guards.refuseWhileLocked(c, d, store, env, what);
    guards.requireRecordedProtection(c, target, what);
    guards.requireGuards(c, target, what);
    laps.lap("guards");
    // the engine's validation and pending set (on its reading connection) beside the schema read
    // for drift (on this one); drift is judged first, as when they ran one after the other
    Beside<MigrationSet> read =
        Beside.start("verify-set", () -> guards.currentSet(target, files, what, true));
    Optional<DriftStep.Reading> drift;
    try {
      drift = new DriftStep(s).requireNoDrift(c, target, what);
    } catch (RuntimeException | SQLException e) {
      read.settle();
      throw e;
    }
    laps.lap("drift");
    MigrationSet set = read.join();
    laps.lap("validate+pending (beside drift)");
    // G7: a deploy that died inside a migration no transaction bounds may have left part of it
    guards.refuseUnsettled(store, target, files, env, what, Optional.of(set.pending()));
    details.put("pending", set.pending().size());
    String settled = drift.map(DriftStep.Reading::settledNote).orElse("");
    if (!settled.isEmpty()) {
      details.put("drift", settled);
    }
    if (!set.isEmpty() && s.promote.isPresent()) {
      // promote: the backup's dump (the work, never its record) runs beside the analysis
      EarlyBackup.start(s, target, env).ifPresent(s.promote.get()::earlyBackup);
    }
    MigrationAnalyzer.Analysis analysis = guards.requireAnalysed(set, files, target, what);
    laps.lap("analysis");
    details.putAll(reliedOn(analysis));
    List<LeftoverIndex> invalid =
        new Leftovers(target, engine, config.pipeline().lockWaitTimeout())
            .invalidIndexes(c, store, env);
    laps.lap("invalid indexes");
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
    Results.Verify v = new Results.Verify(env, store.find(id), set, invalid);
    laps.lap("record");
    return v;
  }

  /** How many covered findings an audit row lists one by one. */
  static final int LISTED = 50;

  /** What a passing analysis relied on, for the audit row (bounded: {@link #LISTED}). */
  static Map<String, Object> reliedOn(MigrationAnalyzer.Analysis analysis) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("contract_sha256", analysis.contractSha256().orElse("none"));
    List<Map<String, Object>> covered = new ArrayList<>();
    for (Finding f : analysis.covered().subList(0, Math.min(LISTED, analysis.covered().size()))) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("rule", f.rule());
      one.put("file", f.file() + ":" + f.line());
      one.put("migration", f.migration());
      // nested values escape the audit log's top-level redaction: redacted here
      one.put("reason", Redactor.redact(f.coveredBy().justification()));
      covered.add(one);
    }
    m.put("covered", covered);
    m.put("covered_total", analysis.covered().size());
    analysis
        .traced()
        .ifPresent(
            t -> {
              Map<String, Object> trace = new LinkedHashMap<>();
              trace.put("statements", t.statements());
              trace.put("allowed_findings", new java.util.TreeMap<>(t.findings()));
              m.put("trace", trace);
            });
    return m;
  }
}
