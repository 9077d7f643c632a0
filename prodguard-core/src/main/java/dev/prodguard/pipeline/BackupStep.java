package dev.prodguard.pipeline;

import dev.prodguard.backup.BackupRunner;
import dev.prodguard.backup.store.BackupStore;
import dev.prodguard.backup.store.BackupStores;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.PipelineSchema;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.MigrationSet;
import dev.prodguard.support.DatabaseSupport;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code backup} (G9): under the deploy lock, only for a live verified run whose set, contract and
 * commit are unchanged; records the backup file, its size and hash on the run.
 */
final class BackupStep {
  private final StepContext s;
  private final PipelineGuards guards;
  private final AuditTrail trail;
  private final ProdguardConfig config;
  private final RunContext context;
  private final Progress progress;

  BackupStep(StepContext s) {
    this.s = s;
    this.guards = new PipelineGuards(s);
    this.trail = new AuditTrail(s);
    this.config = s.config;
    this.context = s.context;
    this.progress = s.progress;
  }

  Results.Backup backup(String env, Optional<String> runId)
      throws SQLException, IOException, InterruptedException {
    String what = "backup " + env;
    Target target = s.prepare(env, Target.Access.MUTATE, what);
    MigrationFiles files = s.files();
    try (StepContext.Control control = s.control(target)) {
      Connection c = control.connection();
      try {
        Results.Backup b = backupOn(target, files, c, env, what, runId);
        Run.Backup bk = b.run().backup().orElseThrow();
        trail.audit(
            c,
            target,
            "backup",
            Optional.of(b.run()),
            "backed_up",
            Map.of(
                "path", bk.path(),
                "size", bk.size(),
                "sha256", bk.sha256(),
                "restore_checked", b.restoreChecked(),
                "restore_check_left_out", b.restoreCheckLeftOut()));
        return b;
      } catch (GuardRefusal r) {
        throw trail.auditRefusal(c, target, "backup", r);
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
    dev.prodguard.db.PhaseTimer.Laps laps = dev.prodguard.db.PhaseTimer.laps("backup");
    guards.requireSessionKept(target, c, what);
    PipelineSchema.ensure(c, d);
    guards.requireRecordedProtection(c, target, what);
    RunStore store = new RunStore(c, d);
    guards.reapStale(target, c, d, store);
    PipelineGuards.Held held = guards.lock(c, d, store, env, what);
    try {
      Run run = guards.select(store, env, runId, what, "backup");
      Instant now = s.now();
      store.claim(run.id(), held.session(), context.hostName(), now);
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
                "deploy it: prodguard deploy "
                    + config.address(env)
                    + "; or start over: prodguard verify "
                    + config.address(env));
        default -> throw guards.notOpen(run, what, env);
      }
      guards.requireLiveVerification(store, run, now, what, env);
      laps.lap("guards");
      // G7: the set is read again (on the engine's reading connection) while the dump runs
      // (pg_dump is another process). The backup is recorded only once the set proved to be the
      // one the run verified; otherwise its file is deleted and the set's refusal stands, also
      // when the dump failed (the set was checked first when the two ran one after the other).
      Beside<MigrationSet> sameSet =
          Beside.start(
              "backup-set",
              () -> {
                MigrationSet set = guards.currentSet(target, files, what, true);
                guards.requireSameSet(run, set, what, env);
                return set;
              });
      BackupStore backupStore;
      BackupRunner.Result r;
      try {
        guards.requireSameContractAndCommit(run, what, env);
        // the store first: missing S3 credentials refuse before anything is dumped
        backupStore = BackupStores.open(config.backup(), context);
        progress.step("backing up '" + env + "' for run " + run.id());
        Optional<EarlyBackup> early = s.promote.flatMap(PromoteSession::takeEarlyBackup);
        r =
            early.isPresent()
                // promote: the dump made beside verify's analysis, checked and recorded as this one
                ? early.get().adopt(env + "-" + run.id())
                : new BackupRunner(target, context, progress)
                    .run(
                        c,
                        config.backup().directory(),
                        env + "-" + run.id(),
                        config.backup().restoreCheck());
      } catch (RuntimeException | Error | SQLException | IOException | InterruptedException e) {
        Optional<GuardRefusal> first = sameSet.settle();
        if (first.isPresent()) {
          throw first.get();
        }
        throw e;
      }
      try {
        sameSet.join();
      } catch (RuntimeException | SQLException e) {
        try {
          java.nio.file.Files.deleteIfExists(r.file());
        } catch (IOException ignored) {
          // the refusal says more; the file is recorded nowhere and never used
        }
        throw e;
      }
      laps.lap("dump+checks (set check beside)");
      String location = backupStore.store(r.file(), r.size(), r.sha256());
      Instant at = s.now();
      Instant backupExpires = at.plus(config.pipeline().backupTtl());
      Run.Backup b =
          new Run.Backup(
              location, r.size(), r.sha256(), r.duration().toMillis(), at, backupExpires);
      Instant expires =
          backupExpires.isBefore(run.verificationExpiresAt())
              ? backupExpires
              : run.verificationExpiresAt();
      if (!store.markBackedUp(run.id(), b, expires, at)) {
        throw new GuardRefusal(
            Guarantee.G7,
            what,
            "run " + run.id() + " changed state while the backup ran",
            "start over: prodguard verify " + config.address(env));
      }
      laps.lap("record");
      return new Results.Backup(
          env,
          store.find(run.id()).orElseThrow(),
          r.tables(),
          r.restoreCheckedCounts().isPresent(),
          r.restoreCheckLeftOut());
    } finally {
      PipelineGuards.release(c, d, held);
    }
  }
}
