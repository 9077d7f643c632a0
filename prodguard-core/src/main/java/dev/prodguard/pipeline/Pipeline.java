package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.migration.MigrationEngine;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * G7, G8, G9: the only road to a protected database. {@code verify} records a run bound to the
 * exact pending migration set; {@code backup} requires that live verification; {@code deploy}
 * requires both, takes the deploy lock, and runs the migration tool on connections it hands out
 * itself. All state lives in the target database. Each command is a step ({@link VerifyStep},
 * {@link BackupStep}, {@link DeployStep}, {@link StatusStep}) over the shared checks of {@link
 * PipelineGuards}.
 */
public final class Pipeline {
  private final ProdguardConfig config;
  private final RunContext context;
  private final MigrationEngine engine;
  private MigrationAnalyzer analyzer;
  private SessionRegistrar registrar = SessionApprovals.INSTANCE;
  private Progress progress = Progress.NONE;

  public Pipeline(ProdguardConfig config, RunContext context, MigrationEngine engine) {
    this.config = Objects.requireNonNull(config);
    this.context = Objects.requireNonNull(context);
    this.engine = Objects.requireNonNull(engine);
    this.analyzer = new ContractLintAnalyzer(engine);
  }

  public Pipeline analyzer(MigrationAnalyzer a) {
    this.analyzer = Objects.requireNonNull(a);
    return this;
  }

  public Pipeline registrar(SessionRegistrar r) {
    this.registrar = Objects.requireNonNull(r);
    return this;
  }

  public Pipeline progress(Progress p) {
    this.progress = Objects.requireNonNull(p);
    return this;
  }

  private StepContext steps() {
    return steps(Optional.empty());
  }

  private StepContext steps(Optional<String> promoteLock) {
    return new StepContext(config, context, engine, analyzer, registrar, progress, promoteLock);
  }

  public Results.Verify verify(String env) throws SQLException {
    return new VerifyStep(steps()).verify(env);
  }

  public Results.Backup backup(String env, Optional<String> runId)
      throws SQLException, IOException, InterruptedException {
    return new BackupStep(steps()).backup(env, runId);
  }

  public Results.Deploy deploy(String env, Optional<String> runId) throws SQLException {
    return new DeployStep(steps()).deploy(env, runId);
  }

  /**
   * verify, backup and deploy of the run verify records, one after the other, under one deploy lock
   * (G8) taken before verify and held until deploy ends: of concurrent promotes exactly one runs,
   * and the others are refused naming its run, instead of each verify superseding another's run.
   */
  public Results.Promote promote(String env)
      throws SQLException, IOException, InterruptedException {
    StepContext s = steps();
    String what = "promote " + env;
    Target target = Target.prepare(config, env, context, Target.Access.MUTATE, what);
    try (Target.Checked lock = target.open()) {
      String session = new PipelineGuards(s).promoteLock(lock.connection(), target, env, what);
      StepContext held = steps(Optional.of(session));
      Results.Verify v = new VerifyStep(held).verify(env);
      if (v.upToDate()) {
        return new Results.Promote(v, Optional.empty(), Optional.empty());
      }
      Optional<String> id = Optional.of(v.run().orElseThrow().id());
      Results.Backup b = new BackupStep(held).backup(env, id);
      Results.Deploy d = new DeployStep(held).deploy(env, id);
      return new Results.Promote(v, Optional.of(b), Optional.of(d));
    }
  }

  public Results.Status status(String env) throws SQLException {
    return new StatusStep(steps()).status(env);
  }
}
