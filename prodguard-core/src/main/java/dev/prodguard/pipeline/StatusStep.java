package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.guard.GuardStatus;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** {@code status}: reads the pending set, open and recent runs, the lock holder and the guards. */
final class StatusStep {
  private static final int LAST_DEPLOYS = 5;
  private final StepContext s;
  private final PipelineGuards guards;
  private final ProdguardConfig config;
  private final RunContext context;
  private final MigrationEngine engine;

  StatusStep(StepContext s) {
    this.s = s;
    this.guards = new PipelineGuards(s);
    this.config = s.config;
    this.context = s.context;
    this.engine = s.engine;
  }

  Results.Status status(String env) throws SQLException {
    Target target = Target.prepare(config, env, context, Target.Access.READ, "status " + env);
    MigrationFiles files = s.files();
    try (Target.Checked control = target.open()) {
      Connection c = control.connection();
      DatabaseSupport d = target.dialect();
      DataSource reading = TargetDataSource.reading(target);
      MigrationEngine.Validated read;
      List<String> problems;
      List<PendingMigration> pending;
      try {
        read = engine.validateAndPending(files, reading);
        problems = new java.util.ArrayList<>(read.problems());
        problems.addAll(HistoryEntries.unmatched(config, engine, target, files, reading));
        pending = read.problems().isEmpty() ? read.pending() : engine.pending(files, reading);
      } catch (RuntimeException e) {
        throw ReadWait.translate(target, "status " + env, e);
      }
      RunStore store = new RunStore(c, d);
      List<Run> reaped = List.of();
      List<Run> open = List.of();
      List<Run> last = List.of();
      Optional<Run> lastRun = Optional.empty();
      Optional<Run> holderRun = Optional.empty();
      Optional<String> holder;
      List<String> unsettled = List.of();
      if (store.exists()) {
        reaped = guards.reapStale(target, c, d, store);
        unsettled =
            guards.unsettled(store, target, files, env, Optional.of(pending)).stream()
                .map(KillBounds.Unsettled::line)
                .toList();
        holder = DeployLock.holder(c, d);
        holderRun = guards.holderRun(store, holder);
        open = store.open(env);
        List<Run> recent = store.recent(env, 50);
        lastRun = recent.stream().findFirst();
        last =
            recent.stream()
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
      GuardStatus guards = GuardStatus.read(c, d, config, target.environment(), engine);
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
          s.now(),
          read.version(),
          lastRun,
          drift(c, target, env),
          unsettled);
    }
  }

  /**
   * Drift as verify would judge it (docs/drift.md), read-only. MySQL/MariaDB show a schema by the
   * reader's privileges: when deploys use another credential ({@code deploy-url}), the schema this
   * credential sees cannot be compared with the one the deploy recorded, so drift is not checked
   * here ({@code prodguard drift show ENV} from CI reads it with the deploy's credential).
   */
  private Results.Drift drift(Connection c, Target target, String env) {
    DatabaseSupport d = target.dialect();
    if (target.environment().deployUrl().isPresent() && d.schemaGrants().isPresent()) {
      return Results.Drift.notChecked(
          "MySQL/MariaDB show the schema by the reader's privileges and '"
              + env
              + "' deploys with its deploy-url: prodguard drift show "
              + target.config().address(env)
              + " (from CI) compares with the deploy's credential");
    }
    try {
      DriftStep drift = new DriftStep(s);
      return drift.statusOf(drift.read(c, target, "status " + env), target.config().address(env));
    } catch (GuardRefusal e) {
      return Results.Drift.notChecked(e.why());
    } catch (SQLException | RuntimeException e) {
      return Results.Drift.notChecked("cannot read: " + StepContext.describe(e));
    }
  }
}
