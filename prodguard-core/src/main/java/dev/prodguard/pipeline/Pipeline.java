package dev.prodguard.pipeline;

import dev.prodguard.ci.CiIdentity;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSource;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
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
  private static final java.util.concurrent.atomic.AtomicBoolean WARMED =
      new java.util.concurrent.atomic.AtomicBoolean();

  private final ProdguardConfig config;
  private final RunContext context;
  private final MigrationEngine engine;
  private MigrationAnalyzer analyzer;
  private SessionRegistrar registrar = SessionApprovals.INSTANCE;
  private Progress progress = Progress.NONE;
  private Optional<CiIdentity> verifiedCi = Optional.empty();
  private Optional<MigrationFiles> snapshot = Optional.empty();
  private boolean backupInItsStep;

  public Pipeline(ProdguardConfig config, RunContext context, MigrationEngine engine) {
    this.config = Objects.requireNonNull(config);
    this.context = Objects.requireNonNull(context);
    this.engine = Objects.requireNonNull(engine).configuredBy(config);
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

  /**
   * G1 proven once for this process (a fleet rollout verifies the CI identity before its first
   * connection and hands it to every target's pipeline).
   */
  public Pipeline verifiedCi(CiIdentity identity) {
    this.verifiedCi = Optional.of(identity);
    return this;
  }

  /**
   * The migration files every step of this pipeline uses, read and hashed once by the caller (a
   * fleet rollout reads them once for all its targets); otherwise each step reads them.
   */
  public Pipeline files(MigrationFiles files) {
    this.snapshot = Optional.of(files);
    return this;
  }

  /**
   * A promote of this pipeline dumps for its backup in the backup step, on the promote's control
   * connection, instead of beside verify's analysis on a connection of its own ({@link
   * EarlyBackup}). A fleet rollout asks for it: its targets run in parallel and keep every core
   * busy, and their analysis is shared (one per pending set), so the early dump overlaps nothing
   * and only adds a fifth session per target (its connection, G2 check and the backup's catalog
   * reads in a cold server session). Every check of the backup is the same either way.
   */
  public Pipeline backupInItsStep() {
    this.backupInItsStep = true;
    return this;
  }

  private MigrationEngine reviewing;

  /**
   * The engine with the contract's reviewed history entries ({@code history:}), loaded once: a
   * malformed contract is a configuration error here, before anything connects.
   */
  private StepContext steps() {
    return steps(Optional.empty());
  }

  private StepContext steps(Optional<PromoteSession> promote) {
    return steps(promote, snapshot);
  }

  private StepContext steps(Optional<PromoteSession> promote, Optional<MigrationFiles> files) {
    if (reviewing == null) {
      reviewing = engine.reviewing(HistoryEntries.of(config));
    }
    return new StepContext(
        config, context, reviewing, analyzer, registrar, progress, verifiedCi, promote, files);
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
    dev.prodguard.db.PhaseTimer.Laps laps = dev.prodguard.db.PhaseTimer.laps("promote");
    StepContext s = steps();
    String what = "promote " + env;
    Target target = s.prepare(env, Target.Access.MUTATE, what);
    // Flyway's and the analysis's classes load (and their first methods compile) on another core
    // while this one checks the target and takes the lock; once per process (a fleet's later
    // targets find them loaded). Nothing is read from the project or the target.
    if (WARMED.compareAndSet(false, true)) {
      DatabaseKind kind = target.dialect().kind();
      Beside.start(
          "warm-up",
          () -> {
            s.engine.warmUp();
            warmUpAnalysis(kind, s.engine);
            return null;
          });
    }
    Target.Checked first;
    try {
      first = target.open();
    } catch (SQLException e) {
      throw new TargetUnreachable(env, e); // before anything: the target is untouched
    }
    try (Target.Checked lock = first;
        PromoteSession.Reusing reading =
            new PromoteSession.Reusing(TargetDataSource.reading(target))) {
      // the second connection of the session probe (G8) is the first reading connection
      String session =
          new PipelineGuards(s).promoteLock(lock.connection(), target, env, what, reading);
      PromoteSession shared =
          new PromoteSession(lock.connection(), session, reading, !backupInItsStep);
      laps.lap("prepare+connect+lock");
      // one reading of the files for verify, backup and deploy (as a fleet's snapshot): the bytes
      // verify analyses and hashes are the bytes deploy runs, never a second reading
      MigrationFiles files = snapshot.orElseGet(() -> MigrationFiles.read(config, context.env()));
      try {
        return promoteHolding(env, steps(Optional.of(shared), Optional.of(files)));
      } finally {
        shared.discardEarlyBackup(); // verify refused or a step failed: its dump is not used
      }
    }
  }

  /** A made-up migration through the linter the analysis uses: its classes, not its result. */
  private static void warmUpAnalysis(DatabaseKind kind, MigrationEngine engine) {
    try {
      MigrationFile f =
          new MigrationFile(
              "V1__warm_up.sql",
              "warm-up",
              ("CREATE TABLE warm_up (id bigint PRIMARY KEY, note text NOT NULL);\n"
                      + "CREATE INDEX warm_up_note ON warm_up (note);\n"
                      + "ALTER TABLE warm_up ADD COLUMN n int DEFAULT 0;\n"
                      + "UPDATE warm_up SET n = 1 WHERE id > 0;\n"
                      + "INSERT INTO warm_up (id, note) VALUES (1, 'a');\n")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      MigrationFiles files = MigrationFiles.of(List.of(f));
      MigrationSource source =
          new MigrationSource(f, MigrationSource.Role.NOT_RUN, Optional.empty(), "warm-up");
      dev.prodguard.lint.Linter.forEngine(kind, engine, files)
          .lint(
              List.of(source),
              List.of(),
              dev.prodguard.contract.ContractLoader.parse(
                  java.nio.file.Path.of("warm-up.yml"),
                  "version: 1\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
              true,
              false);
    } catch (RuntimeException e) {
      // a warm-up only
    }
  }

  private static Results.Promote promoteHolding(String env, StepContext held)
      throws SQLException, IOException, InterruptedException {
    Results.Verify v = new VerifyStep(held).verify(env);
    if (v.upToDate()) {
      return new Results.Promote(v, Optional.empty(), Optional.empty());
    }
    Optional<String> id = Optional.of(v.run().orElseThrow().id());
    Results.Backup b = new BackupStep(held).backup(env, id);
    Results.Deploy d = new DeployStep(held).deploy(env, id);
    return new Results.Promote(v, Optional.of(b), Optional.of(d));
  }

  /** {@code drift show ENV}: the schema now against the last deploy's, read-only (G7). */
  public DriftReport driftShow(String env) throws SQLException {
    return new DriftStep(steps()).show(env);
  }

  /**
   * {@code drift accept ENV --reason R}: records the current schema as the one verify compares
   * with; a mutation (CI only on a protected environment, G1), audited (G10).
   */
  public DriftReport driftAccept(String env, String reason) throws SQLException {
    return new DriftStep(steps()).accept(env, reason);
  }

  /**
   * Removes the failed entry a migration left in the history, as a CI-only (G1), locked (G8),
   * audited (G10) step with a reason; returns the entries removed (empty: nothing to repair).
   */
  public List<String> repair(String env, String reason) throws SQLException {
    return repairing(env, reason).removed();
  }

  /**
   * {@link #repair}, also settling the runs whose deploy died inside a migration no transaction
   * bounds (G7): returns what it removed and what it settled (both empty: nothing to repair).
   */
  public Results.Repair repairing(String env, String reason) throws SQLException {
    RepairStep.Repair r = new RepairStep(steps()).repair(env, reason);
    return new Results.Repair(r.environment(), r.removed(), r.settled());
  }

  public Results.Status status(String env) throws SQLException {
    return new StatusStep(steps()).status(env);
  }
}
