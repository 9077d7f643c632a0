package dev.prodguard.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prodguard.audit.AuditLog;
import dev.prodguard.backup.BackupRunner;
import dev.prodguard.ci.CiIdentity;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Hashes;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.CallbackFile;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.guard.GuardStatus;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.InvalidIndexes;
import dev.prodguard.support.SchemaGrants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * G7, G8, G9: the only road to a protected database. {@code verify} records a run bound to the
 * exact pending migration set; {@code backup} requires that live verification; {@code deploy}
 * requires both, takes the deploy lock, and runs the migration tool on connections it hands out
 * itself. All state lives in the target database.
 */
public final class Pipeline {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int LAST_DEPLOYS = 5;

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

  // ---------------------------------------------------------------- verify

  public Results.Verify verify(String env) throws SQLException {
    String what = "verify " + env;
    Target target = Target.prepare(config, env, context, Target.Access.MUTATE, what);
    MigrationFiles files = MigrationFiles.read(config);
    progress.step("verifying '" + env + "'");
    try (Target.Checked control = target.open()) {
      Connection c = control.connection();
      try {
        Results.Verify v = verifyOn(target, files, c, env, what);
        audit(
            c,
            target,
            "verify",
            v.run(),
            v.upToDate() ? "up_to_date" : "verified",
            Map.of("pending", v.set().pending().size()));
        return v;
      } catch (GuardRefusal r) {
        throw auditRefusal(c, target, "verify", r);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** G4: the analysis of the pending set; refused when it finds an uncovered error. */
  private MigrationAnalyzer.Analysis requireAnalysed(MigrationSet set, Target target, String what) {
    MigrationAnalyzer.Analysis analysis = analyzer.analyse(set.pending(), target);
    if (!analysis.refusals().isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G4,
          what,
          "the pending migrations break the contract:\n- "
              + String.join("\n- ", analysis.refusals()),
          "change the migrations (or, after review, the contract) and push again");
    }
    return analysis;
  }

  private Results.Verify verifyOn(
      Target target, MigrationFiles files, Connection c, String env, String what)
      throws SQLException, IOException, InterruptedException {
    DatabaseSupport d = target.dialect();
    PipelineSchema.ensure(c, d);
    RunStore store = new RunStore(c, d);
    reapStale(c, d, store);
    refuseWhileLocked(c, d, store, env, what);
    requireGuards(c, target, what);
    MigrationSet set = currentSet(target, files, what, true);
    MigrationAnalyzer.Analysis analysis = requireAnalysed(set, target, what);
    List<LeftoverIndex> invalid =
        new Leftovers(target, engine, config.pipeline().lockWaitTimeout())
            .invalidIndexes(c, store, env);
    if (set.isEmpty()) {
      return new Results.Verify(env, Optional.empty(), set, invalid);
    }
    Instant now = now();
    Instant expires = now.plus(config.pipeline().verificationTtl());
    String id = newRunId();
    Run run =
        new Run(
            id,
            env,
            RunStatus.VERIFIED,
            set.sha256(),
            set.pending().size(),
            set.names(),
            analysis.contractSha256(),
            commit(),
            subject(target),
            createdBy(),
            now,
            now,
            expires,
            Optional.empty(),
            expires,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            now);
    for (Run open : store.open(env)) {
      store.markExpired(open.id(), open.status(), "superseded by run " + id, now);
    }
    store.insert(run);
    return new Results.Verify(env, store.find(id), set, invalid);
  }

  // ---------------------------------------------------------------- backup

  public Results.Backup backup(String env, Optional<String> runId)
      throws SQLException, IOException, InterruptedException {
    String what = "backup " + env;
    Target target = Target.prepare(config, env, context, Target.Access.MUTATE, what);
    MigrationFiles files = MigrationFiles.read(config);
    try (Target.Checked control = target.open()) {
      Connection c = control.connection();
      try {
        Results.Backup b = backupOn(target, files, c, env, what, runId);
        Run.Backup bk = b.run().backup().orElseThrow();
        audit(
            c,
            target,
            "backup",
            Optional.of(b.run()),
            "backed_up",
            Map.of(
                "path", bk.path(),
                "size", bk.size(),
                "sha256", bk.sha256(),
                "restore_checked", b.restoreChecked()));
        return b;
      } catch (GuardRefusal r) {
        throw auditRefusal(c, target, "backup", r);
      }
    }
  }

  private Results.Backup backupOn(
      Target target,
      MigrationFiles files,
      Connection c,
      String env,
      String what,
      Optional<String> runId)
      throws SQLException, IOException, InterruptedException {
    DatabaseSupport d = target.dialect();
    PipelineSchema.ensure(c, d);
    RunStore store = new RunStore(c, d);
    reapStale(c, d, store);
    if (!DeployLock.tryAcquire(c, d)) {
      throw lockHeld(c, d, store, env, what);
    }
    try {
      Run run = select(store, env, runId, what, "backup");
      Instant now = now();
      switch (run.status()) {
        case VERIFIED -> {}
        case BACKED_UP ->
            throw new GuardRefusal(
                Guarantee.G9,
                what,
                "run "
                    + run.id()
                    + " is already backed up ("
                    + run.backup().map(Run.Backup::path).orElse("?")
                    + ")",
                "deploy it: prodguard deploy " + env + "; or start over: prodguard verify " + env);
        default -> throw notOpen(run, what, env);
      }
      requireLiveVerification(store, run, now, what, env);
      MigrationSet set = currentSet(target, files, what, true);
      requireSameSet(run, set, what, env);
      requireSameContractAndCommit(run, what, env);

      progress.step("backing up '" + env + "' for run " + run.id());
      BackupRunner.Result r =
          new BackupRunner(target, context, progress)
              .run(
                  c,
                  config.backup().directory(),
                  env + "-" + run.id(),
                  config.backup().restoreCheck());
      Instant at = now();
      Instant backupExpires = at.plus(config.pipeline().backupTtl());
      Run.Backup b =
          new Run.Backup(
              r.file().toAbsolutePath().toString(),
              r.size(),
              r.sha256(),
              r.duration().toMillis(),
              at,
              backupExpires);
      Instant expires =
          backupExpires.isBefore(run.verificationExpiresAt())
              ? backupExpires
              : run.verificationExpiresAt();
      if (!store.markBackedUp(run.id(), b, expires, at)) {
        throw new GuardRefusal(
            Guarantee.G7,
            what,
            "run " + run.id() + " changed state while the backup ran",
            "start over: prodguard verify " + env);
      }
      return new Results.Backup(
          env,
          store.find(run.id()).orElseThrow(),
          r.tables(),
          r.restoreCheckedCounts().isPresent());
    } finally {
      releaseQuietly(c, d);
    }
  }

  // ---------------------------------------------------------------- deploy

  public Results.Deploy deploy(String env, Optional<String> runId) throws SQLException {
    String what = "deploy " + env;
    Target target = Target.prepare(config, env, context, Target.Access.MUTATE, what);
    MigrationFiles files = MigrationFiles.read(config);
    boolean fastPath = !target.environment().isProtected() && runId.isEmpty();
    try (Target.Checked control = target.open()) {
      Connection c = control.connection();
      try {
        Results.Deploy r = deployOn(target, files, c, env, what, runId, fastPath);
        audit(
            c,
            target,
            "deploy",
            r.run(),
            r.upToDate() ? "up_to_date" : "deployed",
            Map.of("applied", r.applied().size()));
        return r;
      } catch (GuardRefusal r) {
        throw auditRefusal(c, target, "deploy", r);
      } catch (DeployFailure f) {
        auditQuietly(
            c,
            target,
            "deploy",
            Optional.of(f.runId()),
            "failed",
            Map.of("failure", f.getMessage()));
        throw f;
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private Results.Deploy deployOn(
      Target target,
      MigrationFiles files,
      Connection c,
      String env,
      String what,
      Optional<String> runId,
      boolean fastPath)
      throws SQLException, IOException, InterruptedException {
    DatabaseSupport d = target.dialect();
    PipelineSchema.ensure(c, d);
    if (!fastPath) {
      requireGuards(c, target, what);
    }
    RunStore store = new RunStore(c, d);
    String session = DeployLock.sessionId(c, d);
    if (!DeployLock.tryAcquire(c, d)) {
      throw lockHeld(c, d, store, env, what);
    }
    try {
      // Holding the lock: any run still 'deploying' belongs to a deploy that died.
      Instant reapedAt = now();
      for (Run stale : store.withStatus(RunStatus.DEPLOYING)) {
        store.markFailed(
            stale.id(), stale.deploySession(), staleMessage(stale), Optional.empty(), reapedAt);
      }
      String token = HexFormat.of().formatHex(randomBytes(32));
      String tokenSha = Hashes.sha256(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Run run;
      MigrationSet set;
      if (fastPath) {
        set = currentSet(target, files, what, false);
        if (set.isEmpty()) {
          return new Results.Deploy(env, Optional.empty(), List.of(), Optional.empty());
        }
        // No verify on the fast path, but what breaks a deploy on every environment (transaction
        // control splitting Flyway's transaction, a touch of prodguard's own objects) is still
        // refused before anything runs.
        requireAnalysed(set, target, what);
        Instant now = now();
        run =
            new Run(
                newRunId(),
                env,
                RunStatus.DEPLOYING,
                set.sha256(),
                set.pending().size(),
                set.names(),
                ContractHashAnalyzer.contractSha256(config),
                commit(),
                subject(target),
                createdBy(),
                now,
                now,
                now,
                Optional.empty(),
                now,
                Optional.of(now),
                Optional.of(session),
                Optional.of(context.hostName()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                now);
        store.insert(run);
        store.setApprovalToken(run.id(), tokenSha);
      } else {
        run = select(store, env, runId, what, "deploy");
        set = requireDeployable(store, target, files, run, what, env);
        if (!store.markDeploying(run.id(), session, context.hostName(), tokenSha, now())) {
          throw new GuardRefusal(
              Guarantee.G7,
              what,
              "run " + run.id() + " is no longer backed_up: another process moved it on",
              "prodguard status " + env + " shows what happened");
        }
      }
      run = store.find(run.id()).orElseThrow();
      return execute(target, files, set, run, store, c, token, tokenSha);
    } finally {
      releaseQuietly(c, d);
    }
  }

  private Results.Deploy execute(
      Target target,
      MigrationFiles files,
      MigrationSet set,
      Run run,
      RunStore store,
      Connection control,
      String token,
      String tokenSha)
      throws SQLException {
    SessionRegistrar.Approval approval =
        new SessionRegistrar.Approval(run.id(), run.environment(), token, tokenSha);
    progress.step(
        "deploying run "
            + run.id()
            + " ("
            + set.pending().size()
            + " migrations) to '"
            + run.environment()
            + "'");
    Instant started = now();
    long t0 = System.nanoTime();
    TargetDataSource ds =
        TargetDataSource.deploying(
            target, approval, registrar, config.pipeline().lockWaitTimeout());
    Leftovers leftovers = new Leftovers(target, engine, config.pipeline().lockWaitTimeout());
    try {
      registrar.begin(control, approval);
      Optional<InvalidIndexes.Baseline> baseline =
          clearEarlierFailures(target, leftovers, store, run, set, control, ds, started, t0);
      MigrationEngine.Report report;
      DeployWatchdog watchdog;
      try {
        watchdog =
            DeployWatchdog.start(target, ds, set, config.pipeline().lockWaitTimeout(), progress);
      } catch (SQLException e) {
        throw fail(
            store,
            run,
            "prodguard could not open the connection that watches what the deploy waits for"
                + " (G7), so nothing was migrated: "
                + e.getMessage(),
            Leftovers.Outcome.NONE,
            receipt(run, set, List.of(), ds, baseline, started, t0, e),
            new IllegalStateException(e));
      }
      try {
        report = engine.migrate(files, ds);
      } catch (MigrationEngine.MigrationFailure e) {
        watchdog.close();
        List<MigrationEngine.Applied> ours =
            e.applied().stream()
                .filter(
                    a ->
                        set.pending().stream()
                            .anyMatch(p -> p.file().relativePath().equals(a.script())))
                .toList();
        Optional<DeployWatchdog.Cancelled> cancel = watchdog.cancelled();
        Leftovers.Outcome state =
            leftovers.afterFailedMigration(
                files, set, ours, control, ds, baseline, cancel.map(c -> c.blocked()), e);
        auditOutcome(control, target, run, cancel, state);
        String guardNote = guardHistoryAfterFailure(target, ds);
        String receipt = receipt(run, set, ours, ds, baseline, started, t0, e);
        if (cancel.isPresent()) {
          throw waitedTooLong(store, run, cancel.get(), watchdog, state, guardNote, receipt, e);
        }
        throw fail(store, run, e.getMessage() + guardNote, state, receipt, e);
      } catch (RuntimeException e) {
        watchdog.close();
        throw fail(
            store,
            run,
            describe(e),
            Leftovers.Outcome.NONE,
            receipt(run, set, List.of(), ds, baseline, started, t0, e),
            e);
      } finally {
        watchdog.close();
      }
      try {
        guardHistory(target, ds);
      } catch (SQLException | RuntimeException e) {
        throw fail(
            store,
            run,
            "the migrations were applied, but " + unguardedHistory(target, e),
            Leftovers.Outcome.NONE,
            receipt(run, set, report.applied(), ds, baseline, started, t0, e),
            e instanceof RuntimeException r ? r : new IllegalStateException(e));
      }
      String receipt = receipt(run, set, report.applied(), ds, baseline, started, t0, null);
      if (!store.markDeployed(run.id(), receipt, now())) {
        throw new DeployFailure(
            run.id(),
            "deploy of run "
                + run.id()
                + " applied its migrations but could not record 'deployed': the run row was"
                + " changed by another process. Check prodguard status "
                + run.environment(),
            null);
      }
      return new Results.Deploy(
          run.environment(), store.find(run.id()), report.applied(), Optional.of(receipt));
    } finally {
      try {
        registrar.end(control, approval);
      } catch (SQLException e) {
        // the registrations die with the run's status; the deploy outcome stands
      }
    }
  }

  // ---------------------------------------------------------------- G6: the history table's guard

  /**
   * G6: once the engine has run, its history table (the first deploy creates it) gets its guard,
   * through a connection of this deploy: a registered session, which PostgreSQL's DDL guard lets
   * pass. Nothing when the guard is already in place (one query).
   */
  private void guardHistory(Target target, TargetDataSource ds) throws SQLException {
    Optional<String> table = engine.historyTable();
    if (!target.environment().isProtected() || table.isEmpty()) {
      return;
    }
    try (Connection c = ds.getConnection()) {
      DatabaseGuards.installHistoryGuard(c, target.dialect(), table.get(), false);
    }
  }

  /** After a failed migration: the history table still gets its guard; a note if it did not. */
  private String guardHistoryAfterFailure(Target target, TargetDataSource ds) {
    try {
      guardHistory(target, ds);
      return "";
    } catch (SQLException | RuntimeException e) {
      return "\n" + unguardedHistory(target, e);
    }
  }

  private String unguardedHistory(Target target, Exception e) {
    return "the guard on "
        + engine.historyTable().orElse("the history table")
        + " could not be installed ("
        + describe(e)
        + "): run 'prodguard init-fingerprint "
        + target.name()
        + "' from CI before the next deploy";
  }

  private DeployFailure fail(
      RunStore store,
      Run run,
      String cause,
      Leftovers.Outcome state,
      String receipt,
      RuntimeException e)
      throws SQLException {
    String message =
        "deploy of run "
            + run.id()
            + " to '"
            + run.environment()
            + "' failed: "
            + cause
            + state.account()
            + "\nThe run is now 'failed'. "
            + (state.nothingLeft()
                ? "Nothing of the failed migration remains; fix it and start over with prodguard"
                    + " verify "
                    + run.environment()
                : "If the database is left inconsistent, "
                    + run.backupNote()
                    + ".\nThen fix the migration and start over with prodguard verify "
                    + run.environment());
    store.markFailed(run.id(), run.deploySession(), message, Optional.of(receipt), now());
    return new DeployFailure(run.id(), message, e);
  }

  // ---------------------------------------------------------------- statements outside a
  // transaction (G7): a deploy that waits is watched and bounded, and a failed one leaves a clear
  // state (DeployWatchdog, Leftovers)

  /**
   * Before this deploy migrates: drops what runs that failed since the last deploy left (a killed
   * deploy cannot), audited; then records where this deploy starts from in its receipt. A leftover
   * that cannot be removed fails the run before anything is migrated, naming it.
   */
  private Optional<InvalidIndexes.Baseline> clearEarlierFailures(
      Target target,
      Leftovers leftovers,
      RunStore store,
      Run run,
      MigrationSet set,
      Connection control,
      TargetDataSource ds,
      Instant started,
      long t0)
      throws SQLException {
    if (!leftovers.applies()) {
      return Optional.empty();
    }
    Leftovers.Report earlier = leftovers.afterFailedRuns(control, ds, store, run.environment());
    for (String done : earlier.done()) {
      progress.step(done);
      audit(control, target, "deploy", Optional.of(run), "cleaned_up", Map.of("action", done));
    }
    Optional<InvalidIndexes.Baseline> baseline = leftovers.baseline(control);
    String receipt = receipt(run, set, List.of(), ds, baseline, started, t0, null);
    if (!earlier.problems().isEmpty()) {
      for (String p : earlier.problems()) {
        audit(control, target, "deploy", Optional.of(run), "cleanup_failed", Map.of("problem", p));
      }
      String why =
          "a run that failed earlier left what its migration created, and prodguard could not"
              + " remove it:\n- "
              + String.join("\n- ", earlier.problems())
              + "\nNothing was migrated; run "
              + run.id()
              + " is now 'failed'.";
      store.markFailed(run.id(), run.deploySession(), why, Optional.of(receipt), now());
      throw new GuardRefusal(
          Guarantee.G7,
          "deploy " + run.environment(),
          why,
          "run the statement named above (or restore the backup of the failed run), then start"
              + " over: prodguard verify "
              + run.environment());
    }
    store.recordStart(run.id(), receipt);
    return baseline;
  }

  private void auditOutcome(
      Connection control,
      Target target,
      Run run,
      Optional<DeployWatchdog.Cancelled> cancel,
      Leftovers.Outcome state) {
    if (cancel.isPresent()) {
      DeployWatchdog.Cancelled c = cancel.get();
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("migration", c.migration());
      d.put("waited_seconds", c.waited().toSeconds());
      d.put("waiting_for", c.blocked().waitingFor());
      d.put("blockers", c.blocked().blockers().stream().map(b -> b.session()).toList());
      d.put("cancel", c.cancelSql());
      auditQuietly(control, target, "deploy", Optional.of(run.id()), "wait_cancelled", d);
    }
    for (String done : state.done()) {
      auditQuietly(
          control, target, "deploy", Optional.of(run.id()), "cleaned_up", Map.of("action", done));
    }
    for (String later : state.deferred()) {
      auditQuietly(
          control,
          target,
          "deploy",
          Optional.of(run.id()),
          "cleanup_deferred",
          Map.of("problem", later));
    }
    for (String left : state.left()) {
      auditQuietly(
          control,
          target,
          "deploy",
          Optional.of(run.id()),
          "cleanup_failed",
          Map.of("problem", left));
    }
  }

  /**
   * The watchdog cancelled a statement that waited longer than {@code pipeline.lock-wait-timeout}:
   * the run is failed, and the deploy is refused (G7) naming what it waited for.
   */
  private GuardRefusal waitedTooLong(
      RunStore store,
      Run run,
      DeployWatchdog.Cancelled c,
      DeployWatchdog watchdog,
      Leftovers.Outcome state,
      String note,
      String receipt,
      RuntimeException e)
      throws SQLException {
    String env = run.environment();
    String why =
        c.migration()
            + " waited "
            + DeployWatchdog.seconds(c.waited())
            + " (pipeline.lock-wait-timeout "
            + DeployWatchdog.seconds(config.pipeline().lockWaitTimeout())
            + ") for "
            + watchdog.waitedOn(c.blocked())
            + "; prodguard cancelled the statement ("
            + c.cancelSql()
            + "). Run "
            + run.id()
            + " is now 'failed'."
            + state.account()
            + note;
    String unblock =
        c.blocked().blockers().isEmpty()
            ? "find and end the session that holds the lock"
            : "let that session finish or end its transaction"
                + c.terminateSql().map(t -> " (if it is stuck: " + t + ")").orElse("");
    String fix =
        (state.left().isEmpty()
                ? ""
                : "first do what the clean-up could not (above), or restore the backup: "
                    + run.backupNote()
                    + "; then ")
            + unblock
            + ", and start a new run: prodguard verify "
            + env
            + " && prodguard backup "
            + env
            + " && prodguard deploy "
            + env
            + ". Raise pipeline.lock-wait-timeout only if such a wait is expected";
    store.markFailed(run.id(), run.deploySession(), why, Optional.of(receipt), now());
    return new GuardRefusal(Guarantee.G7, "deploy " + env, why, fix, e);
  }

  private String receipt(
      Run run,
      MigrationSet set,
      List<MigrationEngine.Applied> applied,
      TargetDataSource ds,
      Optional<InvalidIndexes.Baseline> baseline,
      Instant started,
      long t0,
      Throwable failure) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("run", run.id());
    r.put("environment", run.environment());
    r.put("engine", engine.name());
    r.put("migration_set_sha256", set.sha256());
    r.put("contract_sha256", run.contractSha256().orElse(null));
    r.put("commit", run.commit().orElse(null));
    r.put("ci_subject", run.ciSubject());
    run.backup()
        .ifPresent(
            b -> {
              Map<String, Object> x = new LinkedHashMap<>();
              x.put("path", b.path());
              x.put("sha256", b.sha256());
              x.put("size", b.size());
              r.put("backup", x);
            });
    List<Map<String, Object>> files = new ArrayList<>();
    for (MigrationEngine.Applied a : applied) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("version", a.version().orElse(null));
      m.put("description", a.description());
      m.put("script", a.script());
      m.put(
          "sha256",
          set.pending().stream()
              .filter(p -> p.file().relativePath().equals(a.script()))
              .findFirst()
              .map(p -> p.file().sha256())
              .orElse(null));
      m.put("millis", a.millis());
      files.add(m);
    }
    r.put("applied", files);
    r.put("sessions", ds.sessions());
    r.put("started_at", started.toString());
    r.put("finished_at", now().toString());
    r.put("duration_ms", Duration.ofNanos(System.nanoTime() - t0).toMillis());
    if (failure != null) {
      r.put("failure", describe(failure));
    }
    baseline.ifPresent(b -> r.put("index_baseline", Leftovers.baselineJson(b)));
    try {
      return JSON.writeValueAsString(r);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every check between a backed-up run and the deploy; returns the set to deploy. */
  private MigrationSet requireDeployable(
      RunStore store, Target target, MigrationFiles files, Run run, String what, String env)
      throws SQLException {
    Instant now = now();
    switch (run.status()) {
      case VERIFIED, BACKED_UP -> {}
      default -> throw notOpen(run, what, env);
    }
    requireLiveVerification(store, run, now, what, env);
    if (run.status() == RunStatus.VERIFIED || run.backup().isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G9,
          what,
          "deployment fails without backup state: run "
              + run.id()
              + " is verified but has no backup",
          "prodguard backup " + env + ", then prodguard deploy " + env);
    }
    Run.Backup b = run.backup().get();
    if (!now.isBefore(b.expiresAt())) {
      store.markExpired(run.id(), run.status(), "backup expired at " + b.expiresAt(), now);
      throw new GuardRefusal(
          Guarantee.G9,
          what,
          "the backup of run "
              + run.id()
              + " expired at "
              + b.expiresAt()
              + " (pipeline.backup-ttl "
              + config.pipeline().backupTtl().toMinutes()
              + "m)",
          "start over: prodguard verify "
              + env
              + " && prodguard backup "
              + env
              + " && prodguard deploy "
              + env);
    }
    MigrationSet set = currentSet(target, files, what, false);
    requireSameSet(run, set, what, env);
    requireSameContractAndCommit(run, what, env);
    requireBackupFile(run, b, what, env);
    return set;
  }

  private void requireBackupFile(Run run, Run.Backup b, String what, String env) {
    Path p = Path.of(b.path());
    String fix =
        "never deploy without the backup you verified: start over with prodguard verify "
            + env
            + " && prodguard backup "
            + env;
    if (!Files.isRegularFile(p)) {
      throw new GuardRefusal(
          Guarantee.G9,
          what,
          "the backup file of run " + run.id() + " (" + p + ") no longer exists",
          fix);
    }
    try {
      long size = Files.size(p);
      String sha = Hashes.sha256(p);
      if (size != b.size() || !sha.equals(b.sha256())) {
        throw new GuardRefusal(
            Guarantee.G9,
            what,
            "the backup file "
                + p
                + " changed since it was written (recorded "
                + b.size()
                + " bytes, sha256 "
                + b.sha256()
                + "; now "
                + size
                + " bytes, sha256 "
                + sha
                + ")",
            fix);
      }
    } catch (IOException e) {
      throw new GuardRefusal(
          Guarantee.G9, what, "cannot read the backup file " + p + ": " + e.getMessage(), fix, e);
    }
  }

  // ---------------------------------------------------------------- promote

  public Results.Promote promote(String env)
      throws SQLException, IOException, InterruptedException {
    Results.Verify v = verify(env);
    if (v.upToDate()) {
      return new Results.Promote(v, Optional.empty(), Optional.empty());
    }
    Optional<String> id = Optional.of(v.run().orElseThrow().id());
    Results.Backup b = backup(env, id);
    Results.Deploy d = deploy(env, id);
    return new Results.Promote(v, Optional.of(b), Optional.of(d));
  }

  // ---------------------------------------------------------------- status

  public Results.Status status(String env) throws SQLException {
    Target target = Target.prepare(config, env, context, Target.Access.READ, "status " + env);
    MigrationFiles files = MigrationFiles.read(config);
    try (Target.Checked control = target.open()) {
      Connection c = control.connection();
      DatabaseSupport d = target.dialect();
      DataSource reading = TargetDataSource.reading(target);
      List<String> problems = engine.validate(files, reading);
      List<PendingMigration> pending = engine.pending(files, reading);
      RunStore store = new RunStore(c, d);
      List<Run> reaped = List.of();
      List<Run> open = List.of();
      List<Run> last = List.of();
      Optional<Run> holderRun = Optional.empty();
      Optional<String> holder;
      if (store.exists()) {
        reaped = reapStale(c, d, store);
        holder = DeployLock.holder(c, d);
        holderRun = holderRun(store, holder);
        open = store.open(env);
        last =
            store.recent(env, 50).stream()
                .filter(
                    r ->
                        r.status() == RunStatus.DEPLOYED
                            || r.status() == RunStatus.FAILED
                            || r.status() == RunStatus.DEPLOYING)
                .limit(LAST_DEPLOYS)
                .toList();
      } else {
        holder = DeployLock.holder(c, d);
      }
      GuardStatus guards =
          GuardStatus.read(c, d, config, target.environment(), engine.historyTable());
      List<LeftoverIndex> invalid =
          new Leftovers(target, engine, config.pipeline().lockWaitTimeout())
              .invalidIndexes(c, store, env);
      return new Results.Status(
          env,
          target.environment().isProtected(),
          control.metadata().fingerprint(),
          control.metadata().serverIdentity(),
          problems,
          pending,
          holder,
          holderRun,
          open,
          last,
          reaped,
          invalid,
          guards,
          now());
    }
  }

  // ---------------------------------------------------------------- shared checks

  /**
   * The pending set as the engine sees it now. {@code validate}: also refuse when what is applied
   * does not match the files. Deploy skips that extra pass: the engine validates again before it
   * applies anything (validateOnMigrate), and the set hash already binds every pending byte.
   */
  private MigrationSet currentSet(
      Target target, MigrationFiles files, String what, boolean validate) {
    DataSource reading = TargetDataSource.reading(target);
    List<String> problems = validate ? engine.validate(files, reading) : List.of();
    if (!problems.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the migrations already applied to '"
              + target.name()
              + "' do not match the files (an applied migration was edited, renamed or"
              + " deleted, or one is missing or failed):\n- "
              + String.join("\n- ", problems),
          "restore the applied migration files exactly as they were deployed; put changes in a"
              + " new migration");
    }
    return MigrationSet.of(engine.pending(files, reading), engine.callbacks(files), files);
  }

  /**
   * G6 for a protected environment: the database records it as protected (restored if missing or
   * edited, and audited), the Flyway callback is in place exactly as written, and, with {@code
   * guards.require-ddl-trigger}, the DDL guard is installed.
   */
  private void requireGuards(Connection c, Target target, String what) throws SQLException {
    if (!target.environment().isProtected()) {
      return;
    }
    DatabaseSupport d = target.dialect();
    String env = target.name();
    if (DatabaseGuards.requireProtected(c, createdBy(), now())) {
      audit(
          c,
          target,
          "guards",
          Optional.empty(),
          "protected_flag_restored",
          Map.of(
              "why",
              "prodguard_guard_config did not record '" + env + "' as protected; set it again"));
    }
    CallbackFile.Check cb = CallbackFile.check(config, d);
    if (cb.state() != CallbackFile.State.OK) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          "the Flyway callback "
              + cb.path()
              + " is "
              + cb.state().label()
              + ": without it a Flyway migrate run by hand (CLI, Maven or Gradle plugin, Spring"
              + " Boot) is not stopped by the database",
          "run 'prodguard init-fingerprint "
              + env
              + "' (it writes the file exactly as prodguard expects), review and commit it;"
              + " callbacks of your own go in beforeEachMigrate__<description>.sql");
    }
    requireHistoryGuard(c, target, what);
    requireRoleSplit(target, what);
    if (config.guards().requireDdlTrigger()) {
      DatabaseGuards.DdlGuard g = DatabaseGuards.ddlGuard(c, d);
      if (g == DatabaseGuards.DdlGuard.UNSUPPORTED) {
        throw new GuardRefusal(
            Guarantee.G6,
            what,
            "guards.require-ddl-trigger is set, but '"
                + env
                + "' is MySQL/MariaDB, which has no event triggers: the requirement cannot be"
                + " met",
            "remove guards.require-ddl-trigger from prodguard.yml through review (the Flyway"
                + " callback is the database-side guard on MySQL/MariaDB)");
      }
      if (g != DatabaseGuards.DdlGuard.INSTALLED) {
        throw new GuardRefusal(
            Guarantee.G6,
            what,
            "guards.require-ddl-trigger is set, but the DDL guard (event trigger"
                + " prodguard_ddl_guard) of '"
                + env
                + "' is "
                + g.label(),
            "install it: run 'prodguard init-fingerprint "
                + env
                + "' once from CI with a superuser URL (only a superuser can create event"
                + " triggers)");
      }
    }
  }

  /**
   * G6: the engine's history table, once it exists, carries its guard (triggers that only a guarded
   * deploy's sessions pass), so that Flyway repair, baseline and a migration run by hand from a
   * folder without the callback cannot write it.
   */
  private void requireHistoryGuard(Connection c, Target target, String what) throws SQLException {
    Optional<String> table = engine.historyTable();
    if (table.isEmpty()) {
      return;
    }
    DatabaseGuards.HistoryGuard h = DatabaseGuards.historyGuard(c, target.dialect(), table.get());
    if (h == DatabaseGuards.HistoryGuard.MISSING || h == DatabaseGuards.HistoryGuard.DISABLED) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          "the guard on "
              + table.get()
              + " (triggers that let only a guarded deploy write it) is "
              + h.label()
              + ": without it Flyway repair, baseline, or a migration run by hand from a folder"
              + " without the callback changes '"
              + target.name()
              + "'",
          "run 'prodguard init-fingerprint "
              + target.name()
              + "' from CI: it installs the guard (where the DDL guard is installed, with the"
              + " superuser URL that installed it)");
    }
  }

  /**
   * G6 on a server without DDL triggers (MySQL/MariaDB): only privileges stop a schema change made
   * by hand, so deploys need a credential of their own ({@code deploy-url}) and the environment's
   * {@code url} credential, the one applications and people use, must not be able to change the
   * schema. Read from the server's grants, connected as that credential.
   */
  private void requireRoleSplit(Target target, String what) throws SQLException {
    DatabaseSupport d = target.dialect();
    if (d.schemaGrants().isEmpty()) {
      return;
    }
    String env = target.name();
    if (target.environment().deployUrl().isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          "'"
              + env
              + "' is MySQL/MariaDB, which has no DDL triggers, so only privileges stop a Flyway"
              + " clean or a DDL migration run by hand; prodguard.yml gives '"
              + env
              + "' no deploy-url, so prodguard deploys with the credential of its url, the one"
              + " applications and people use",
          "split the roles: a deploy user with the schema privileges, the url's user with SELECT,"
              + " INSERT, UPDATE, DELETE and EXECUTE only; then set environments."
              + env
              + ".deploy-url: ${"
              + env.toUpperCase(Locale.ROOT).replace('-', '_')
              + "_DEPLOY_DATABASE_URL} in prodguard.yml through review"
              + " (docs/g6-direct-migration.md)");
    }
    SchemaGrants.Found found;
    try (Target.Checked app = target.openEnvironmentCredential()) {
      found = DatabaseGuards.credential(app.connection(), d, engine.historyTable()).orElseThrow();
    }
    if (found.canChangeSchema()) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          "the credential of '"
              + env
              + "''s url, "
              + found.account()
              + ", can change the schema: "
              + String.join("; ", found.schemaChanging())
              + ". Applications and anyone running Flyway by hand use it, and MySQL/MariaDB have"
              + " no DDL trigger to stop them",
          "take those privileges from "
              + found.account()
              + " (REVOKE; keep SELECT and EXECUTE on the database): only the deploy-url's"
              + " user may change the schema");
    }
    if (found.canWriteGuarded()) {
      throw new GuardRefusal(
          Guarantee.G6,
          what,
          "the credential of '"
              + env
              + "''s url, "
              + found.account()
              + ", can write prodguard's tables or the migration history table: "
              + String.join("; ", found.guardedWrites())
              + ". With it an application or a person could switch protection off in"
              + " prodguard_guard_config or forge an approved deploy session, and MySQL/MariaDB"
              + " privileges only add up, so a table-level REVOKE cannot take a database-level"
              + " grant back",
          "grant "
              + found.account()
              + " SELECT and EXECUTE on the database and INSERT, UPDATE, DELETE table by table on"
              + " the application's own tables, never on the database (*) or on prodguard_* and"
              + " the history table (docs/g6-direct-migration.md#mysqlmariadb-the-role-split)");
    }
  }

  private Run select(RunStore store, String env, Optional<String> runId, String what, String step)
      throws SQLException {
    Optional<Run> run = runId.isPresent() ? store.find(runId.get()) : store.latest(env);
    if (run.isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          runId.isPresent()
              ? "there is no run " + runId.get() + " in '" + env + "'"
              : ("deploy".equals(step) ? "deployment fails without verification state: " : "")
                  + "no verification is recorded for '"
                  + env
                  + "'; "
                  + step
                  + " requires a run that verify recorded",
          "prodguard verify " + env + (step.equals("deploy") ? ", then backup, then deploy" : ""));
    }
    if (!run.get().environment().equals(env)) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "run " + run.get().id() + " belongs to environment '" + run.get().environment() + "'",
          "name a run of '" + env + "', or none to use the latest");
    }
    return run.get();
  }

  private GuardRefusal notOpen(Run run, String what, String env) {
    String why =
        switch (run.status()) {
          case DEPLOYED ->
              "run "
                  + run.id()
                  + " was already deployed"
                  + run.finishedAt().map(t -> " at " + t).orElse("")
                  + "; a run is single use";
          case DEPLOYING -> "run " + run.id() + " is being deployed right now";
          case FAILED ->
              "run " + run.id() + " failed" + run.failure().map(f -> ": " + f).orElse("");
          case EXPIRED ->
              "run " + run.id() + " expired" + run.failure().map(f -> " (" + f + ")").orElse("");
          default -> "run " + run.id() + " is " + run.status().db();
        };
    return new GuardRefusal(
        Guarantee.G7,
        what,
        why,
        "for new migrations start a new run: prodguard verify "
            + env
            + ", prodguard backup "
            + env
            + ", prodguard deploy "
            + env);
  }

  private void requireLiveVerification(
      RunStore store, Run run, Instant now, String what, String env) throws SQLException {
    if (!now.isBefore(run.verificationExpiresAt())) {
      store.markExpired(
          run.id(), run.status(), "verification expired at " + run.verificationExpiresAt(), now);
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the verification of run "
              + run.id()
              + " expired at "
              + run.verificationExpiresAt()
              + " (pipeline.verification-ttl "
              + config.pipeline().verificationTtl().toMinutes()
              + "m)",
          "start over: prodguard verify "
              + env
              + " && prodguard backup "
              + env
              + " && prodguard deploy "
              + env);
    }
  }

  private static void requireSameSet(Run run, MigrationSet set, String what, String env) {
    if (!set.sha256().equals(run.migrationSetSha256())) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the pending migrations are not the set run "
              + run.id()
              + " verified (recorded sha256 "
              + run.migrationSetSha256()
              + ", files now "
              + set.sha256()
              + "): a migration file was changed, added or removed since verify, or the state"
              + " row was edited. Pending now: "
              + (set.isEmpty() ? "none" : String.join(", ", set.names().strip().split("\n"))),
          "verify and back up this exact set again: prodguard verify "
              + env
              + " && prodguard backup "
              + env
              + " && prodguard deploy "
              + env);
    }
  }

  private void requireSameContractAndCommit(Run run, String what, String env) {
    Optional<String> contract = ContractHashAnalyzer.contractSha256(config);
    if (!contract.equals(run.contractSha256())) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "the contract "
              + config.contract().getFileName()
              + " changed since run "
              + run.id()
              + " was verified (recorded "
              + run.contractSha256().orElse("absent")
              + ", now "
              + contract.orElse("absent")
              + ")",
          "verify again under the current contract: prodguard verify " + env);
    }
    Optional<String> commit = commit();
    if (commit.isPresent() && run.commit().isPresent() && !commit.equals(run.commit())) {
      throw new GuardRefusal(
          Guarantee.G7,
          what,
          "run "
              + run.id()
              + " was verified at commit "
              + run.commit().get()
              + ", this is commit "
              + commit.get(),
          "run verify, backup and deploy from the same pipeline: prodguard verify " + env);
    }
  }

  /** Marks 'deploying' runs whose lock session is gone as failed (not holding the lock). */
  private List<Run> reapStale(Connection c, DatabaseSupport d, RunStore store) throws SQLException {
    // Runs first, holder second: a deploy that starts in between already holds the lock.
    List<Run> deploying = store.withStatus(RunStatus.DEPLOYING);
    if (deploying.isEmpty()) {
      return List.of();
    }
    Optional<String> holder = DeployLock.holder(c, d);
    List<Run> reaped = new ArrayList<>();
    for (Run r : deploying) {
      if (holder.isEmpty() || !holder.equals(r.deploySession())) {
        if (store.markStale(r.id(), r.deploySession(), staleMessage(r), now())) {
          reaped.add(r);
        }
      }
    }
    return reaped;
  }

  private static String staleMessage(Run r) {
    return "the deploy process ended without finishing (killed, crashed or disconnected; its"
        + " lock session "
        + r.deploySession().orElse("?")
        + " is gone). The database may be partially migrated: check flyway_schema_history; if"
        + " it is inconsistent, "
        + r.backupNote();
  }

  private void refuseWhileLocked(
      Connection c, DatabaseSupport d, RunStore store, String env, String what)
      throws SQLException {
    Optional<String> holder = DeployLock.holder(c, d);
    if (holder.isPresent()) {
      throw lockHeld(c, d, store, env, what);
    }
  }

  private GuardRefusal lockHeld(
      Connection c, DatabaseSupport d, RunStore store, String env, String what)
      throws SQLException {
    Optional<String> holder = DeployLock.holder(c, d);
    Optional<Run> run = holderRun(store, holder);
    String why =
        run.map(
                r ->
                    "another deploy of '"
                        + env
                        + "' is in progress: run "
                        + r.id()
                        + " by "
                        + r.ciSubject()
                        + " since "
                        + r.deployStartedAt().map(Instant::toString).orElse("?")
                        + " (session "
                        + holder.orElse("?")
                        + ")")
            .orElse(
                "the deploy lock of '"
                    + env
                    + "' is held by session "
                    + holder.orElse("(released just now)")
                    + " (a backup, or a deploy that is starting)");
    return new GuardRefusal(
        Guarantee.G8,
        what,
        why,
        "wait until it ends (prodguard status "
            + env
            + " shows the holder); a deploy that dies releases the lock with its connection");
  }

  private static Optional<Run> holderRun(RunStore store, Optional<String> holder)
      throws SQLException {
    if (holder.isEmpty()) {
      return Optional.empty();
    }
    return store.withStatus(RunStatus.DEPLOYING).stream()
        .filter(r -> holder.equals(r.deploySession()))
        .findFirst();
  }

  private static void releaseQuietly(Connection c, DatabaseSupport d) {
    try {
      if (!c.isClosed()) {
        DeployLock.release(c, d);
      }
    } catch (SQLException e) {
      // closing the connection releases it anyway
    }
  }

  // ---------------------------------------------------------------- audit (G10)

  private void audit(
      Connection c,
      Target target,
      String command,
      Optional<Run> run,
      String outcome,
      Map<String, ?> details)
      throws SQLException {
    AuditLog.install(c, target.dialect());
    AuditLog.append(
        c,
        target.dialect(),
        context,
        target.ciIdentity(),
        new AuditLog.Event(
            command + " " + target.name(),
            target.name(),
            run.map(Run::id),
            run.map(Run::migrationSetSha256),
            outcome,
            details));
  }

  private void auditQuietly(
      Connection c,
      Target target,
      String command,
      Optional<String> runId,
      String outcome,
      Map<String, ?> details) {
    try {
      AuditLog.install(c, target.dialect());
      AuditLog.append(
          c,
          target.dialect(),
          context,
          target.ciIdentity(),
          new AuditLog.Event(
              command + " " + target.name(),
              target.name(),
              runId,
              Optional.empty(),
              outcome,
              details));
    } catch (SQLException | RuntimeException e) {
      // the refusal or failure being reported matters more than its audit row
    }
  }

  /** A refusal after connecting is recorded in the target's audit trail, then rethrown. */
  private GuardRefusal auditRefusal(Connection c, Target target, String command, GuardRefusal r) {
    auditQuietly(
        c,
        target,
        command,
        Optional.empty(),
        "refused",
        Map.of("guarantee", r.guarantee().name(), "what", r.what(), "why", r.why()));
    return r;
  }

  // ---------------------------------------------------------------- helpers

  private Instant now() {
    return context.clock().instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** The commit CI is building (GitHub Actions, GitLab CI). */
  private Optional<String> commit() {
    for (String v : List.of("GITHUB_SHA", "CI_COMMIT_SHA")) {
      String s = context.get(v);
      if (s != null && !s.isBlank()) {
        return Optional.of(s.strip());
      }
    }
    return Optional.empty();
  }

  private String subject(Target target) {
    return target
        .ciIdentity()
        .map(CiIdentity::describe)
        .orElse(context.osUser() + "@" + context.hostName() + " (not CI)");
  }

  private String createdBy() {
    return context.osUser() + "@" + context.hostName();
  }

  private static String newRunId() {
    return "run-" + HexFormat.of().formatHex(randomBytes(6));
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
