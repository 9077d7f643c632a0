package dev.prodguard.fleet;

import dev.prodguard.ci.CiVerifiers;
import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Redactor;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.UrlRule;
import dev.prodguard.pipeline.Results;
import dev.prodguard.pipeline.RunStatus;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code status --fleet NAME}: one row per target, read from each target with {@code status} (read
 * only: G2 and G3 per target, no G1), in parallel.
 */
public final class FleetStatus {
  private FleetStatus() {}

  /**
   * One target's row.
   *
   * @param state {@code ok} (nothing pending), {@code pending}, {@code deploying} (a run's promote,
   *     backup or deploy holds the deploy lock), {@code locked} (another session holds it: a drift
   *     accept, a step that is starting), {@code failed} (pending, and its newest run failed) or
   *     {@code error} (unreadable, what is applied does not match the files, or a deploy that died
   *     inside a migration no transaction bounds is unsettled, G7)
   * @param pending migrations pending on it; empty when the target could not be read (never a
   *     made-up 0: json {@code null}, text {@code -})
   * @param version the newest migration version applied
   * @param lastRun the newest run, whatever its status: id, status and when
   * @param lastDeploy the newest deployed run and when it finished
   * @param drift the schema against the one the last deploy left ({@link Results.Drift})
   * @param lockHolder the run holding the deploy lock (G8), or its session, when one does
   * @param problem why the target could not be read, or its validation problems
   */
  public record Row(
      String id,
      String wave,
      String state,
      Optional<Integer> pending,
      Optional<String> version,
      Optional<String> lastRun,
      Optional<String> lastDeploy,
      Optional<Results.Drift> drift,
      Optional<String> lockHolder,
      Optional<String> problem) {
    public Map<String, Object> toJson() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("target", id);
      j.put("wave", wave);
      j.put("state", state);
      j.put("pending", pending.orElse(null));
      j.put("version", version.orElse(null));
      j.put("last_run", lastRun.orElse(null));
      j.put("last_deploy", lastDeploy.orElse(null));
      j.put("drift", drift.map(Results.Drift::toJson).orElse(null));
      j.put("lock_holder", lockHolder.orElse(null));
      j.put("problem", problem.orElse(null));
      return j;
    }
  }

  public static List<Row> status(
      ProdguardConfig config,
      String fleetName,
      RunContext context,
      FleetRollout.Pipelines pipelines,
      int parallel,
      Shard shard)
      throws SQLException, InterruptedException {
    FleetConfig fleet = config.fleet(fleetName);
    UrlRule.protectedFleet(
        fleet,
        "read the targets of fleet '" + fleetName + "'",
        CiVerifiers.inCi(config, context, Optional.empty(), "status"));
    List<FleetConfig.Target> all = FleetTargets.resolve(config, fleet, context);
    ProdguardConfig expanded = FleetTargets.asEnvironments(config, fleet, all);
    List<FleetConfig.Target> selected = all.stream().filter(t -> shard.contains(t.id())).toList();
    if (selected.isEmpty()) {
      return List.of();
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(parallel, selected.size()),
            r -> {
              Thread t = new Thread(r, "prodguard-fleet-status");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Row>> futures = new ArrayList<>();
      for (FleetConfig.Target t : selected) {
        futures.add(pool.submit(() -> row(expanded, t, pipelines)));
      }
      List<Row> rows = new ArrayList<>();
      for (Future<Row> f : futures) {
        try {
          rows.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException(
              "a status worker failed outside its target", e.getCause());
        }
      }
      return rows;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Row row(ProdguardConfig expanded, FleetConfig.Target t, FleetRollout.Pipelines p) {
    try {
      Results.Status s = p.create(expanded, t.id()).status(t.id());
      Optional<String> last =
          s.lastDeploys().stream()
              .findFirst()
              .map(
                  r ->
                      r.id()
                          + r.finishedAt().map(at -> " at " + at).orElse("")
                          + " ("
                          + r.migrationCount()
                          + " migration(s))");
      Optional<String> lock =
          s.lockHolderRun()
              .map(
                  r ->
                      r.id()
                          + " ("
                          + r.status().db()
                          + ", session "
                          + s.lockHolderSession().orElse("?")
                          + ")")
              .or(() -> s.lockHolderSession().map(x -> "session " + x));
      Optional<String> lastRun =
          s.lastRun()
              .map(
                  r ->
                      r.id()
                          + " "
                          + r.status().db()
                          + " at "
                          + r.finishedAt().orElse(r.createdAt()));
      // an unsettled dead deploy (G7) stops verify as a validation problem does
      List<String> problems = new java.util.ArrayList<>(s.validationProblems());
      s.unsettled().forEach(u -> problems.add("unsettled (G7): " + u));
      Optional<String> problem =
          problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
      String state =
          problem.isPresent()
              ? "error"
              : s.lockHolderRun().isPresent()
                  ? "deploying"
                  : s.lockHolderSession().isPresent()
                      ? "locked"
                      : s.drift().refuses()
                          ? "drifted"
                          : s.pending().isEmpty()
                              ? "ok"
                              : s.lastRun().filter(r -> r.status() == RunStatus.FAILED).isPresent()
                                  ? "failed"
                                  : "pending";
      return new Row(
          t.id(),
          t.wave(),
          state,
          Optional.of(s.pending().size()),
          s.version(),
          lastRun,
          last,
          Optional.of(s.drift()),
          lock,
          problem);
    } catch (GuardRefusal e) {
      return error(t, e.guarantee() + ": " + e.why());
    } catch (Exception e) {
      return error(t, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
  }

  private static Row error(FleetConfig.Target t, String why) {
    return new Row(
        t.id(),
        t.wave(),
        "error",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.of(Redactor.redact(why)));
  }
}
