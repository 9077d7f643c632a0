package dev.prodguard.pipeline;

import dev.prodguard.backup.store.BackupStore;
import dev.prodguard.backup.store.BackupStores;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Hashes;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.support.InvalidIndexes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code deploy} (G6-G9): every check between a backed-up run and the engine, the deploy lock, the
 * engine run on connections prodguard hands out (registered for the run), the watchdog and the
 * clean-up of what a failed migration left (G7), the history table's guard (G6), and the receipt.
 */
final class DeployStep {
  private final StepContext s;
  private final PipelineGuards guards;
  private final AuditTrail trail;
  private final DeployReceipt receipts;
  private final ProdguardConfig config;
  private final RunContext context;
  private final MigrationEngine engine;
  private final SessionRegistrar registrar;
  private final Progress progress;

  DeployStep(StepContext s) {
    this.s = s;
    this.guards = new PipelineGuards(s);
    this.trail = new AuditTrail(s);
    this.receipts = new DeployReceipt(s);
    this.config = s.config;
    this.context = s.context;
    this.engine = s.engine;
    this.registrar = s.registrar;
    this.progress = s.progress;
  }

  Results.Deploy deploy(String env, Optional<String> runId) throws SQLException {
    String what = "deploy " + env;
    Target target = s.prepare(env, Target.Access.MUTATE, what);
    MigrationFiles files = s.files();
    boolean fastPath = !target.environment().isProtected() && runId.isEmpty();
    try (StepContext.Control control = s.control(target)) {
      Connection c = control.connection();
      try {
        Results.Deploy r = deployOn(target, files, c, env, what, runId, fastPath);
        trail.audit(
            c,
            target,
            "deploy",
            r.run(),
            r.upToDate() ? "up_to_date" : "deployed",
            Map.of("applied", r.applied().size()));
        return r;
      } catch (GuardRefusal r) {
        throw trail.auditRefusal(c, target, "deploy", r);
      } catch (DeployFailure f) {
        trail.auditQuietly(
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
    dev.prodguard.db.PhaseTimer.Laps laps = dev.prodguard.db.PhaseTimer.laps("deploy");
    guards.requireSessionKept(target, c, what);
    PipelineSchema.ensure(c, d);
    guards.requireRecordedProtection(c, target, what);
    if (!fastPath) {
      guards.requireGuards(c, target, what);
    }
    RunStore store = new RunStore(c, d);
    PipelineGuards.Held held = guards.lock(c, d, store, env, what);
    String session = held.session();
    try {
      // Holding the lock: any run still 'deploying' belongs to a deploy that died.
      Instant reapedAt = s.now();
      for (Run stale : store.withStatus(RunStatus.DEPLOYING)) {
        store.markFailed(
            stale.id(),
            stale.deploySession(),
            guards.staleMessage(stale, target),
            Optional.empty(),
            reapedAt);
      }
      guards.refuseUnsettled(store, target, files, env, what);
      String token = HexFormat.of().formatHex(StepContext.randomBytes(32));
      String tokenSha = Hashes.sha256(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Run run;
      MigrationSet set;
      if (fastPath) {
        set = guards.currentSet(target, files, what, false);
        if (set.isEmpty()) {
          return new Results.Deploy(env, Optional.empty(), List.of(), Optional.empty());
        }
        // No verify on the fast path, but what breaks a deploy on every environment (transaction
        // control splitting Flyway's transaction, a touch of prodguard's own objects) is still
        // refused before anything runs.
        guards.requireAnalysed(set, files, target, what);
        Instant now = s.now();
        run =
            Run.deployingUnverified(
                StepContext.newRunId(),
                env,
                new Run.Origin(
                    set,
                    ContractHashAnalyzer.contractSha256(config),
                    s.commit(),
                    s.subject(target),
                    s.createdBy()),
                now,
                session,
                context.hostName());
        store.insert(run);
        store.setApprovalToken(run.id(), tokenSha);
      } else {
        run = guards.select(store, env, runId, what, "deploy");
        laps.lap("guards");
        set = requireDeployable(store, target, files, run, what, env);
        laps.lap("deployable");
        // a change slipped in since verify would be recorded as this deploy's own (G7, drift)
        new DriftStep(s).requireNoDrift(c, target, what);
        laps.lap("drift");
        if (!store.markDeploying(run.id(), session, context.hostName(), tokenSha, s.now())) {
          throw new GuardRefusal(
              Guarantee.G7,
              what,
              "run " + run.id() + " is no longer backed_up: another process moved it on",
              "prodguard status " + config.address(env) + " shows what happened");
        }
      }
      run = store.find(run.id()).orElseThrow();
      return execute(target, files, set, run, store, c, token, tokenSha);
    } finally {
      PipelineGuards.release(c, d, held);
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
    Instant started = s.now();
    long t0 = System.nanoTime();
    dev.prodguard.db.PhaseTimer.Laps laps = dev.prodguard.db.PhaseTimer.laps("deploy");
    TargetDataSource ds =
        TargetDataSource.deploying(
            target,
            approval,
            registrar,
            config.pipeline().lockWaitTimeout(),
            config.pipeline().sessions());
    Leftovers leftovers = new Leftovers(target, engine, config.pipeline().lockWaitTimeout());
    // The engine's connections for this run (each prepared, checked and registered when opened)
    // are reused between its own steps (Flyway's baseline of a prodguard-only schema, its migrate,
    // retries after a lock timeout, the history table's guard) instead of one new registered
    // session per step; after a failure they are closed, and the clean-up opens its own.
    PromoteSession.Reusing engineSessions = new PromoteSession.Reusing(ds);
    try {
      registrar.begin(control, approval);
      Optional<InvalidIndexes.Baseline> baseline =
          clearEarlierFailures(target, leftovers, store, run, set, control, ds, started, t0);
      laps.lap("earlier failures");
      // G7: whether a kill inside each migration can leave part of it, judged on the files this
      // run deploys and recorded before the first runs; a killed deploy leaves this receipt
      receipts.judged(KillBounds.judge(target, engine, files, set, control));
      store.recordStart(run.id(), receipts.start(run, set, ds, baseline, started, t0));
      laps.lap("recorded start");
      MigrationEngine.Report report;
      DeployProgress shown = new DeployProgress(progress);
      DeployWatchdog watchdog;
      try {
        watchdog =
            DeployWatchdog.start(
                target, ds, set, config.pipeline().lockWaitTimeout(), progress, s.reading(target));
      } catch (SQLException e) {
        throw fail(
            target,
            store,
            run,
            "prodguard could not open the connection that watches what the deploy waits for"
                + " (G7), so nothing was migrated: "
                + e.getMessage(),
            Leftovers.Outcome.NONE,
            receipts.write(run, set, List.of(), ds, baseline, started, t0, e),
            new IllegalStateException(e));
      }
      laps.lap("watchdog start");
      Thread interrupted = interruptedNote(target, run, progress);
      Runtime.getRuntime().addShutdownHook(interrupted);
      LockRetry retry = retrying(target, run, control);
      try {
        report =
            retry.migrate(
                files,
                engineSessions,
                shown,
                shown,
                script ->
                    set.pending().stream().anyMatch(p -> p.file().relativePath().equals(script)));
      } catch (MigrationEngine.MigrationFailure e) {
        engineSessions.closeIdle();
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
                files,
                set,
                ours,
                control,
                ds,
                baseline,
                cancel.map(c -> c.blocked()),
                e,
                config.address(run.environment()));
        auditOutcome(control, target, run, cancel, state);
        String guardNote = guardHistoryAfterFailure(target, ds);
        String receipt = receipts.write(run, set, ours, ds, baseline, started, t0, e);
        if (cancel.isPresent()) {
          throw waitedTooLong(store, run, cancel.get(), watchdog, state, guardNote, receipt, e);
        }
        throw fail(
            target,
            store,
            run,
            lockTimedOut(target, e, retry.retried()).map(l -> l + "\n").orElse("")
                + e.getMessage()
                + guardNote,
            state,
            receipt,
            e,
            // the clean-up removed the failed entry, nothing but what it names remains: no account
            // of a half-applied migration (restore or repair) beside it
            state.nothingLeft() ? Optional.empty() : partial(target, files, run, e));
      } catch (RuntimeException e) {
        engineSessions.closeIdle();
        watchdog.close();
        throw fail(
            target,
            store,
            run,
            StepContext.describe(e),
            Leftovers.Outcome.NONE,
            receipts.write(run, set, List.of(), ds, baseline, started, t0, e),
            e);
      } finally {
        watchdog.close();
        try {
          Runtime.getRuntime().removeShutdownHook(interrupted);
        } catch (IllegalStateException shuttingDown) {
          // the JVM is stopping: the note is being printed
        }
      }
      laps.lap("migrate");
      try {
        guardHistory(target, engineSessions);
      } catch (SQLException | RuntimeException e) {
        throw fail(
            target,
            store,
            run,
            "the migrations were applied, but " + unguardedHistory(target, e),
            Leftovers.Outcome.NONE,
            receipts.write(run, set, report.applied(), ds, baseline, started, t0, e),
            e instanceof RuntimeException r ? r : new IllegalStateException(e));
      }
      laps.lap("guard history");
      String receipt = receipts.write(run, set, report.applied(), ds, baseline, started, t0, null);
      laps.lap("receipt");
      if (!store.markDeployed(run.id(), receipt, s.now())) {
        throw new DeployFailure(
            run.id(),
            "deploy of run "
                + run.id()
                + " applied its migrations but could not record 'deployed': the run row was"
                + " changed by another process. Check prodguard status "
                + config.address(run.environment()),
            null);
      }
      return new Results.Deploy(
          run.environment(), store.find(run.id()), report.applied(), Optional.of(receipt));
    } finally {
      engineSessions.closeIdle();
      // the schema this deploy left, also after a failure: its own changes are never drift
      laps.lap("record");
      new DriftStep(s).recordAfterDeploy(control, target, run);
      laps.lap("drift after");
      try {
        registrar.end(control, approval);
      } catch (SQLException e) {
        // the registrations die with the run's status; the deploy outcome stands
      }
    }
  }

  /**
   * The engine's migrate with bounded retries of a migration that gave up waiting for a lock
   * ({@code pipeline.lock-timeout}, {@link LockRetry}); every retry is audited before it runs, and
   * a retry that cannot be audited fails the deploy (G10).
   */
  /**
   * What the deploy's process says when it is stopped (Ctrl-C, SIGTERM, a cancelled CI job) while
   * the engine migrates: what happened and the way on, at that moment on the deploy's own output,
   * not only from the next command (new user 19/13: a cancelled CI job ended with no word).
   */
  private static Thread interruptedNote(Target target, Run run, Progress progress) {
    String env = target.name();
    // waiting: a line of its own on a terminal and in CI logs alike (step is quiet in CI logs)
    return new Thread(
        () ->
            progress.waiting(
                "interrupted while deploying run "
                    + run.id()
                    + " to '"
                    + env
                    + "': the server rolls back the migration that was running in a transaction"
                    + " when this process's connection ends (one outside a transaction,"
                    + " executeInTransaction=false, may be partly applied). The run stays"
                    + " 'deploying' until the next prodguard command on '"
                    + env
                    + "' finds this process gone, marks it failed and says what remains. Next:"
                    + " prodguard status "
                    + env),
        "prodguard-deploy-interrupted");
  }

  private LockRetry retrying(Target target, Run run, Connection control) {
    return new LockRetry(
        engine,
        target.dialect(),
        config.pipeline().sessions(),
        progress,
        detail -> {
          try {
            trail.audit(control, target, "deploy", Optional.of(run), "lock_timeout_retry", detail);
          } catch (SQLException e) {
            throw new IllegalStateException(
                "prodguard could not audit a retry after a lock timeout (G10): " + e.getMessage(),
                e);
          }
        },
        LockRetry.FIRST_PAUSE);
  }

  /**
   * G6: once the engine has run, its history table (the first deploy creates it) gets its guard,
   * through a connection of this deploy: a registered session, which PostgreSQL's DDL guard lets
   * pass. Nothing when the guard is already in place (one query).
   */
  private void guardHistory(Target target, javax.sql.DataSource ds) throws SQLException {
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
        + StepContext.describe(e)
        + "): run 'prodguard init-fingerprint "
        + config.address(target.name())
        + "' from CI before the next deploy";
  }

  private DeployFailure fail(
      Target target,
      RunStore store,
      Run run,
      String cause,
      Leftovers.Outcome state,
      String receipt,
      RuntimeException e) {
    return fail(target, store, run, cause, state, receipt, e, Optional.empty());
  }

  /**
   * G7: after a migration that failed half-way and was not rolled back (MariaDB's implicit commits,
   * a migration run outside a transaction), which of its statements stayed, which failed and which
   * never ran; empty when the server rolled it back or the engine does not say where it failed.
   */
  private Optional<String> partial(
      Target target, MigrationFiles files, Run run, MigrationEngine.MigrationFailure e) {
    boolean inTransaction = engine.failedInTransaction(e);
    if (target.dialect().transactionalDdl() && inTransaction) {
      return Optional.empty();
    }
    return engine
        .failedStatement(e)
        .flatMap(
            f ->
                files
                    .find(f.script())
                    .flatMap(
                        file ->
                            PartialMigration.account(
                                target.dialect().kind(),
                                target.dialect().transactionalDdl(),
                                files.shown(file),
                                PartialMigration.text(file.bytes()),
                                f.line(),
                                inTransaction,
                                engine.historyTable().orElse("the migration history"),
                                run.backup().map(b -> run.backupNote()),
                                config.address(run.environment()))));
  }

  private DeployFailure fail(
      Target target,
      RunStore store,
      Run run,
      String cause,
      Leftovers.Outcome state,
      String receipt,
      RuntimeException e,
      Optional<String> partial) {
    // a statement the server ended at pipeline.statement-timeout (PostgreSQL reports it in the
    // same class as a lost session): the connection stayed, the migration's transaction rolled back
    Optional<String> timedOut = statementTimedOut(target, e);
    Optional<String> lost = timedOut.isPresent() ? Optional.empty() : connectionLost(e);
    String head =
        "deploy of run "
            + run.id()
            + " to '"
            + run.environment()
            + "' failed: "
            + timedOut.or(() -> lost).map(l -> l + "\n").orElse("")
            + cause
            + partial.orElse("")
            + state.account();
    boolean rolledBack =
        lost.isEmpty()
            && state.left().isEmpty()
            && state.deferred().isEmpty()
            && e instanceof MigrationEngine.MigrationFailure m
            && target.dialect().transactionalDdl()
            && engine.failedInTransaction(m);
    String next =
        rolledBack && !state.nothingLeft()
            ? "Nothing of the failed migration remains: it ran in one transaction, which the"
                + " server rolled back; the migrations before it in this run are in "
                + engine.historyTable().orElse("the migration history")
                + " and stay. No restore is needed"
                + run.backup().map(b -> " (the run's backup stays: " + b.path() + ")").orElse("")
                + ". Fix it, then: "
                + Results.startOver(
                    target.environment().isProtected(), config.address(run.environment()))
            : state.nothingLeft() && lost.isEmpty()
                ? (state.deferred().isEmpty()
                        ? "Nothing of the failed migration remains"
                        : "Of the failed migration only the invalid index(es) marked NOT YET"
                            + " above remain, which the next deploy drops before it migrates; no"
                            + " restore and no repair are needed")
                    + "; fix it, then: "
                    + Results.startOver(
                        target.environment().isProtected(), config.address(run.environment()))
                : partial.isPresent()
                    ? "See above for what stayed and the way forward."
                    : "If the database is left inconsistent, "
                        + run.backupNote()
                        + ".\nThen fix the cause, then: "
                        + (failedRowStays(target, e)
                            ? Results.repairThenStartOver(
                                target.environment().isProtected(),
                                config.address(run.environment()),
                                engine.historyTable().orElse("the migration history"))
                            : Results.startOver(
                                target.environment().isProtected(),
                                config.address(run.environment())));
    String message = head + "\nThe run is now 'failed'. " + next;
    try {
      store.markFailed(run.id(), run.deploySession(), message, Optional.of(receipt), s.now());
    } catch (SQLException | RuntimeException x) {
      // the control connection went with the others: the next status or verify marks the run
      // failed (its deploy lock died with the connection); the account of what to do stands
      message =
          head
              + "\nprodguard could not record the run as 'failed' ("
              + StepContext.describe(x)
              + "); the next prodguard status or verify of '"
              + run.environment()
              + "' does. "
              + next;
    }
    return new DeployFailure(run.id(), message, e);
  }

  /**
   * Whether the migration tool recorded the failed migration in its history (a failed row): it does
   * when the migration was not rolled back (MySQL/MariaDB, whose DDL commits on its own, or a
   * migration run outside a transaction). Verify then refuses (G7) until {@code prodguard repair}
   * removes that row, so the way forward names repair first.
   */
  private boolean failedRowStays(Target target, RuntimeException e) {
    return e instanceof MigrationEngine.MigrationFailure m
        && !(target.dialect().transactionalDdl() && engine.failedInTransaction(m));
  }

  /** The sentence for a statement the server ended at {@code pipeline.statement-timeout}. */
  private Optional<String> statementTimedOut(Target target, Throwable e) {
    if (!target.dialect().statementTimedOut(e)) {
      return Optional.empty();
    }
    return Optional.of(
        "a statement ran longer than pipeline.statement-timeout"
            + config
                .pipeline()
                .sessions()
                .statementTimeout()
                .map(d -> " (" + d.toMillis() + " ms)")
                .orElse("")
            + " and the server ended it; it is not retried. Make the statement faster, move it"
            + " into a migration of its own, or raise pipeline.statement-timeout if it must run"
            + " that long.");
  }

  /**
   * The sentence for a statement the server ended because it waited for a lock longer than {@code
   * pipeline.lock-timeout} (or, without it, the server's own lock wait bound): which bound, how
   * often it was run again ({@code pipeline.lock-retries}, {@link LockRetry}) or why not, and the
   * other bound of the migration sessions, {@code pipeline.statement-timeout}.
   */
  private Optional<String> lockTimedOut(Target target, Throwable e, int retried) {
    if (!target.dialect().lockTimedOut(e)) {
      return Optional.empty();
    }
    ProdguardConfig.MigrationSessions b = config.pipeline().sessions();
    String bound =
        b.lockTimeout()
            .map(d -> "pipeline.lock-timeout (" + d.toMillis() + " ms)")
            .orElse("the server's lock wait timeout (pipeline.lock-timeout is not set)");
    String again =
        retried > 0
            ? "; it gave up after "
                + retried
                + (retried == 1 ? " retry" : " retries")
                + " (pipeline.lock-retries: "
                + b.lockRetries()
                + "), the lock still held"
            : !target.dialect().transactionalDdl()
                ? "; it is not run again: DDL commits on its own on "
                    + target.dialect().kind().label()
                : "";
    return Optional.of(
        "a statement waited for a lock longer than "
            + bound
            + " and the server ended it"
            + again
            + ". Let the session that holds the lock finish, then start over; raise"
            + " pipeline.lock-timeout only if such a wait is expected. (pipeline.statement-timeout"
            + b.statementTimeout().map(d -> ", " + d.toMillis() + " ms,").orElse(", not set,")
            + " bounds each statement's whole run, its lock waits included.)");
  }

  /**
   * The sentence for a failure whose cause is a lost connection (SQL state class 08, connection
   * exception, or 57, operator intervention: a server that shut down or crashed, a session ended),
   * empty otherwise.
   */
  static Optional<String> connectionLost(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException x && x.getSQLState() != null) {
        String state = x.getSQLState();
        if (state.startsWith("08") || state.startsWith("57")) {
          return Optional.of(
              "the connection to the database was lost while the migrations ran (SQL state "
                  + state
                  + ": "
                  + x.getMessage()
                  + "): the server crashed, restarted or ended the session, or the network"
                  + " failed. What the server applied before is kept, what it ran at that moment"
                  + " was rolled back if it was in a transaction.");
        }
      }
    }
    return Optional.empty();
  }

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
      trail.audit(
          control, target, "deploy", Optional.of(run), "cleaned_up", Map.of("action", done));
    }
    Optional<InvalidIndexes.Baseline> baseline = leftovers.baseline(control);
    if (!earlier.problems().isEmpty()) {
      String receipt = receipts.write(run, set, List.of(), ds, baseline, started, t0, null);
      for (String p : earlier.problems()) {
        trail.audit(
            control, target, "deploy", Optional.of(run), "cleanup_failed", Map.of("problem", p));
      }
      String why =
          "a run that failed earlier left what its migration created, and prodguard could not"
              + " remove it:\n- "
              + String.join("\n- ", earlier.problems())
              + "\nNothing was migrated; run "
              + run.id()
              + " is now 'failed'.";
      store.markFailed(run.id(), run.deploySession(), why, Optional.of(receipt), s.now());
      throw new GuardRefusal(
          Guarantee.G7,
          "deploy " + run.environment(),
          why,
          "run the statement named above (or restore the backup of the failed run), then start"
              + " over: prodguard verify "
              + config.address(run.environment()));
    }
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
      trail.auditQuietly(control, target, "deploy", Optional.of(run.id()), "wait_cancelled", d);
    }
    for (String done : state.done()) {
      trail.auditQuietly(
          control, target, "deploy", Optional.of(run.id()), "cleaned_up", Map.of("action", done));
    }
    for (String later : state.deferred()) {
      trail.auditQuietly(
          control,
          target,
          "deploy",
          Optional.of(run.id()),
          "cleanup_deferred",
          Map.of("problem", later));
    }
    for (String left : state.left()) {
      trail.auditQuietly(
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
            + config.address(env)
            + " && prodguard backup "
            + config.address(env)
            + " && prodguard deploy "
            + config.address(env)
            + ". Raise pipeline.lock-wait-timeout only if such a wait is expected"
            + sessionBounds();
    store.markFailed(run.id(), run.deploySession(), why, Optional.of(receipt), s.now());
    return new GuardRefusal(Guarantee.G7, "deploy " + env, why, fix, e);
  }

  /**
   * The bounds the server itself puts on each statement of the migration sessions, named by their
   * keys: raising {@code pipeline.lock-wait-timeout} alone does not let a statement wait longer
   * than them.
   */
  private String sessionBounds() {
    ProdguardConfig.MigrationSessions b = config.pipeline().sessions();
    return " (the server also ends a statement of the migration sessions at pipeline.lock-timeout,"
        + b.lockTimeout().map(d -> " " + d.toMillis() + " ms").orElse(" not set")
        + ", for a lock wait in a transaction, and at pipeline.statement-timeout,"
        + b.statementTimeout().map(d -> " " + d.toMillis() + " ms").orElse(" not set")
        + ", for its whole run)";
  }

  /** Every check between a backed-up run and the deploy; returns the set to deploy. */
  private MigrationSet requireDeployable(
      RunStore store, Target target, MigrationFiles files, Run run, String what, String env)
      throws SQLException {
    Instant now = s.now();
    switch (run.status()) {
      case VERIFIED, BACKED_UP -> {}
      default -> throw guards.notOpen(run, what, env);
    }
    guards.requireLiveVerification(store, run, now, what, env);
    if (run.status() == RunStatus.VERIFIED || run.backup().isEmpty()) {
      throw new GuardRefusal(
          Guarantee.G9,
          what,
          "deployment fails without backup state: run "
              + run.id()
              + " is verified but has no backup",
          "prodguard backup "
              + config.address(env)
              + ", then prodguard deploy "
              + config.address(env));
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
              + config.address(env)
              + " && prodguard backup "
              + config.address(env)
              + " && prodguard deploy "
              + config.address(env));
    }
    MigrationSet set = guards.currentSet(target, files, what, false);
    guards.requireSameSet(run, set, what, env);
    guards.requireSameContractAndCommit(run, what, env);
    requireBackupFile(run, b, what, env);
    return set;
  }

  private void requireBackupFile(Run run, Run.Backup b, String what, String env) {
    Path p = Path.of(b.path());
    String fix =
        "never deploy without the backup you verified: start over with prodguard verify "
            + config.address(env)
            + " && prodguard backup "
            + config.address(env);
    if (BackupStore.isRemote(b.path())) {
      // kept in object storage (backup.store: s3): read back and hashed there
      BackupStores.forLocation(b.path(), config.backup(), context)
          .requireIntact(b.path(), b.size(), b.sha256(), what, fix);
      return;
    }
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
}
