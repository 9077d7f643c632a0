package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Hashes;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.support.DatabaseSupport;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code repair ENV --reason TEXT}: removes the failed entry a migration left in the engine's
 * history (Flyway records a failed migration that was not rolled back, typically on MySQL/MariaDB,
 * and refuses every later validate and migrate until it is gone). The one repair prodguard offers,
 * and only as a guarded step: G1 (CI only, in {@link Target#prepare}), G2, G3, the guards of a
 * protected environment (G6), the deploy lock (G8), and an audit record with the reason and what
 * was removed (G10), refusals included. The history table's guard lets only an approved deploy
 * session write it, so the repair runs as a run of its own in {@code deploying}, on a registered
 * session, and is closed ({@code expired}, with what it did) when done. It never removes a
 * successful entry; a missing, ignored or future one is reviewed in the contract's history instead.
 */
final class RepairStep {
  private final StepContext s;
  private final PipelineGuards guards;
  private final AuditTrail trail;
  private final ProdguardConfig config;
  private final RunContext context;
  private final MigrationEngine engine;

  RepairStep(StepContext s) {
    this.s = s;
    this.guards = new PipelineGuards(s);
    this.trail = new AuditTrail(s);
    this.config = s.config;
    this.context = s.context;
    this.engine = s.engine;
  }

  /**
   * What a repair did: the failed entries it removed and the dead runs it settled (G7, {@link
   * KillBounds}), each {@code RUN (SCRIPT)}; none of either: nothing to repair.
   */
  record Repair(
      String environment, Optional<String> runId, List<String> removed, List<String> settled) {}

  Repair repair(String env, String reason) throws SQLException {
    String what = "repair " + env;
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("repair needs --reason: say why the entry may go");
    }
    Target target = Target.prepare(config, env, context, Target.Access.MUTATE, what);
    MigrationFiles files = MigrationFiles.read(config, context.env());
    try (Target.Checked control = target.open()) {
      Connection c = control.connection();
      try {
        Repair r = repairOn(target, files, c, env, what, reason.strip());
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("reason", reason.strip());
        detail.put("removed", r.removed());
        detail.put("settled", r.settled());
        trail.audit(
            c,
            target,
            "repair",
            Optional.empty(),
            r.removed().isEmpty() && r.settled().isEmpty() ? "nothing_to_repair" : "repaired",
            detail);
        return r;
      } catch (GuardRefusal refusal) {
        throw trail.auditRefusal(c, target, "repair", refusal);
      }
    }
  }

  /**
   * G7: settles each dead run whose unfinished migration may have committed part of its work: its
   * receipt records the reason, who and the repair's run, and an audit row names it (G10).
   */
  private void settle(
      Connection c,
      Target target,
      RunStore store,
      List<KillBounds.Unsettled> unsettled,
      String reason,
      Run repair,
      List<String> settled)
      throws SQLException {
    for (KillBounds.Unsettled u : unsettled) {
      Run dead = u.run();
      if (store.settle(
          dead.id(),
          KillBounds.settled(dead, reason, s.createdBy(), s.now(), repair.id()),
          s.now())) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("reason", reason);
        detail.put("settled_run", dead.id());
        detail.put("migration", u.migration().script());
        detail.put("repair_run", repair.id());
        trail.audit(c, target, "repair", Optional.of(dead), "settled", detail);
        settled.add(dead.id() + " (" + u.migration().script() + ")");
      }
    }
  }

  private Repair repairOn(
      Target target, MigrationFiles files, Connection c, String env, String what, String reason)
      throws SQLException {
    DatabaseSupport d = target.dialect();
    PipelineSchema.ensure(c, d);
    guards.requireRecordedProtection(c, target, what);
    guards.requireGuards(c, target, what);
    RunStore store = new RunStore(c, d);
    String session = DeployLock.sessionId(c, d);
    if (!DeployLock.tryAcquire(c, d)) {
      throw guards.lockHeld(c, d, store, env, what);
    }
    try {
      List<String> failed = engine.failedMigrations(files, TargetDataSource.reading(target));
      List<KillBounds.Unsettled> unsettled =
          guards.unsettled(store, target, files, env, Optional.empty());
      if (failed.isEmpty() && unsettled.isEmpty()) {
        return new Repair(env, Optional.empty(), List.of(), List.of());
      }
      if (failed.size() > 1) {
        throw new GuardRefusal(
            Guarantee.G7,
            what,
            "the history records more than one failed migration ("
                + String.join(", ", failed)
                + "): the engine stops at the first, so more than one means the history was"
                + " written by something else",
            "restore the backup of the run that failed (prodguard status "
                + config.address(env)
                + ")");
      }
      String token = HexFormat.of().formatHex(StepContext.randomBytes(32));
      String tokenSha = Hashes.sha256(token.getBytes(StandardCharsets.UTF_8));
      MigrationSet set = guards.currentSet(target, files, what, false);
      Instant now = s.now();
      Run run =
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
      SessionRegistrar.Approval approval =
          new SessionRegistrar.Approval(run.id(), env, token, tokenSha);
      List<String> removed = new ArrayList<>();
      List<String> settled = new ArrayList<>();
      try {
        s.registrar.begin(c, approval);
        settle(c, target, store, unsettled, reason, run, settled);
        if (!failed.isEmpty()) {
          TargetDataSource ds =
              TargetDataSource.deploying(
                  target, approval, s.registrar, config.pipeline().lockWaitTimeout());
          if (engine.forgetFailed(files, ds, failed.get(0))) {
            removed.add(failed.get(0));
          }
        }
      } finally {
        try {
          s.registrar.end(c, approval);
        } catch (SQLException e) {
          // the registrations die with the run's status
        }
        store.markExpired(
            run.id(),
            RunStatus.DEPLOYING,
            "repair: "
                + (removed.isEmpty() ? "removed nothing" : "removed the failed entry of " + removed)
                + (settled.isEmpty() ? "" : "; settled " + settled)
                + " (reason: "
                + reason
                + ")",
            s.now());
      }
      return new Repair(env, Optional.of(run.id()), removed, settled);
    } finally {
      PipelineGuards.releaseQuietly(c, d);
    }
  }
}
