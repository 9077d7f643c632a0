package dev.prodguard.fleet;

import dev.prodguard.ci.CiIdentity;
import dev.prodguard.ci.CiVerifiers;
import dev.prodguard.config.ConfigException;
import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Redactor;
import dev.prodguard.db.RunContext;
import dev.prodguard.pipeline.DeployFailure;
import dev.prodguard.pipeline.Pipeline;
import dev.prodguard.pipeline.Results;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code promote --fleet NAME} (DESIGN section 12): every target of the fleet goes through its own
 * verify → backup → deploy ({@link Pipeline#promote}), so G2, G3 and G7–G10 hold per target, with
 * its runs and audit in that target; G1 is proven once, before the first connection of the process
 * (the catalog read included).
 *
 * <p>Waves run in the fleet's order; a wave starts only when every target of the earlier ones
 * succeeded, and within a wave while the rollout's failures are within {@code failure-threshold}.
 * Once they pass it, no further target starts (the ones already running finish): every target ends
 * deployed, up to date, refused or failed (a failure after the backup names the backup to restore),
 * unreachable (its first connection failed: untouched), or not started. Resume is a rerun: a target
 * already at the set's version verifies as up to date (audited in that target as {@code
 * up_to_date}) and is skipped; the rest are retried.
 */
public final class FleetRollout {
  /** Makes the pipeline for one target; {@code config} holds every target as an environment. */
  public interface Pipelines {
    Pipeline create(ProdguardConfig config, String targetId);
  }

  /** What a rollout reports while it runs (called from worker threads: make it thread-safe). */
  public interface Listener {
    Listener NONE = new Listener() {};

    default void wave(String wave, int targets) {}

    default void started(String targetId) {}

    default void finished(TargetResult result, int done, int total) {}

    default void halted(String why) {}
  }

  /**
   * @param parallel targets promoted at once (1..64)
   * @param wave only this wave (a CI job per wave); empty: every wave in order
   * @param shard only the targets of this shard
   */
  public record Options(int parallel, Optional<String> wave, Shard shard) {
    public Options {
      if (parallel < 1 || parallel > 64) {
        throw new IllegalArgumentException("--parallel must be between 1 and 64");
      }
    }
  }

  /** Where a target ended. */
  public enum State {
    DEPLOYED("deployed"),
    UP_TO_DATE("up to date"),
    REFUSED("refused"),
    FAILED("failed"),
    /** The first connection (or the fingerprint read) failed: nothing changed; counts as failed. */
    UNREACHABLE("unreachable"),
    NOT_STARTED("not started");

    private final String label;

    State(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    public boolean failure() {
      return this == REFUSED || this == FAILED || this == UNREACHABLE;
    }
  }

  /**
   * One target's outcome.
   *
   * @param detail one line for deployed and up-to-date targets; the refusal or failure (which names
   *     the backup to restore) otherwise; redacted
   * @param run the run that deployed it, when one did
   * @param backup the backup file of that run
   * @param applied migrations applied
   * @param millis wall time of the target's promote
   */
  public record TargetResult(
      String id,
      String wave,
      State state,
      String detail,
      Optional<String> run,
      Optional<String> backup,
      int applied,
      long millis) {
    public Map<String, Object> toJson() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("target", id);
      j.put("wave", wave);
      j.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
      j.put("detail", detail);
      j.put("run", run.orElse(null));
      j.put("backup", backup.orElse(null));
      j.put("applied", applied);
      j.put("millis", millis);
      return j;
    }
  }

  /** The whole rollout: one entry per selected target, in wave order. */
  public record Report(
      String fleet,
      Shard shard,
      Optional<String> wave,
      List<TargetResult> targets,
      int allowedFailures,
      Optional<String> haltedBecause) {
    public Report {
      targets = List.copyOf(targets);
    }

    public long count(State s) {
      return targets.stream().filter(t -> t.state() == s).count();
    }

    public long failures() {
      return targets.stream().filter(t -> t.state().failure()).count();
    }

    /** Nothing failed and nothing was left out: the fleet (or this shard of it) is done. */
    public boolean complete() {
      return failures() == 0 && count(State.NOT_STARTED) == 0;
    }

    public Map<String, Object> toJson() {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("command", "promote");
      j.put("fleet", fleet);
      j.put("shard", shard.toString());
      j.put("wave", wave.orElse(null));
      j.put("outcome", complete() ? "complete" : haltedBecause.isPresent() ? "halted" : "failed");
      j.put("halted_because", haltedBecause.orElse(null));
      j.put("allowed_failures", allowedFailures);
      Map<String, Object> counts = new LinkedHashMap<>();
      for (State s : State.values()) {
        counts.put(s.name().toLowerCase(java.util.Locale.ROOT), count(s));
      }
      j.put("counts", counts);
      j.put("targets", targets.stream().map(TargetResult::toJson).toList());
      return j;
    }
  }

  private FleetRollout() {}

  /**
   * Promotes the fleet.
   *
   * @throws GuardRefusal G1, before any connection, when the fleet is protected and this process
   *     cannot prove it is CI
   * @throws ConfigException when the fleet, a target or the catalog is misconfigured (nothing has
   *     been promoted then)
   * @throws SQLException when the catalog cannot be read
   */
  public static Report promote(
      ProdguardConfig config,
      String fleetName,
      RunContext context,
      Pipelines pipelines,
      Options options,
      Listener listener)
      throws SQLException, InterruptedException {
    FleetConfig fleet = config.fleet(fleetName);
    if (options.wave().isPresent() && !fleet.waves().contains(options.wave().get())) {
      throw new ConfigException(
          fleet.file(),
          fleet.line(),
          "fleets." + fleet.name() + ".waves",
          "fleet '"
              + fleet.name()
              + "' has no wave '"
              + options.wave().get()
              + "' (waves: "
              + String.join(", ", fleet.waves())
              + ")");
    }
    Optional<CiIdentity> identity = Optional.empty();
    if (fleet.isProtected()) {
      identity =
          Optional.of(
              CiVerifiers.forConfig(config).verify(context, "promote --fleet " + fleet.name()));
    }
    List<FleetConfig.Target> all = FleetTargets.resolve(config, fleet, context);
    ProdguardConfig expanded = FleetTargets.asEnvironments(config, fleet, all);
    List<FleetConfig.Target> selected = new ArrayList<>();
    for (FleetConfig.Target t : all) {
      if (options.shard().contains(t.id())
          && (options.wave().isEmpty() || options.wave().get().equals(t.wave()))) {
        selected.add(t);
      }
    }
    FleetTargets.requireUsableUrls(fleet, selected, context);
    if (options.wave().isPresent()) {
      FleetWaves.requireEarlierWavesDone(
          expanded, fleet, all, options.wave().get(), pipelines, identity);
    }
    int allowed = fleet.failureThreshold().allowed(selected.size());
    List<TargetResult> results = new ArrayList<>();
    AtomicInteger failures = new AtomicInteger();
    Optional<String> halted = Optional.empty();
    AtomicInteger done = new AtomicInteger();
    for (String wave : fleet.waves()) {
      List<FleetConfig.Target> inWave =
          selected.stream().filter(t -> t.wave().equals(wave)).toList();
      if (inWave.isEmpty()) {
        continue;
      }
      if (halted.isPresent()) {
        for (FleetConfig.Target t : inWave) {
          results.add(notStarted(t, "the rollout halted before wave '" + wave + "'"));
        }
        continue;
      }
      if (options.wave().isEmpty() && options.shard().count() > 1) {
        // a shard runs every wave of its own subset: the earlier waves' targets of the other
        // shards (the canary may hash into another one) must be done too, as with --wave
        // (attacker 20/04)
        List<FleetConfig.Target> elsewhere =
            all.stream().filter(t -> !options.shard().contains(t.id())).toList();
        try {
          FleetWaves.requireEarlierWavesDone(expanded, fleet, elsewhere, wave, pipelines, identity);
        } catch (dev.prodguard.db.GuardRefusal r) {
          String why = r.guarantee() + ": " + r.why() + "; " + r.fix();
          halted = Optional.of(why);
          listener.halted(why);
          for (FleetConfig.Target t : inWave) {
            results.add(notStarted(t, "wave '" + wave + "' waits for the earlier waves"));
          }
          continue;
        }
      }
      listener.wave(wave, inWave.size());
      int failuresBefore = failures.get();
      AtomicBoolean stop = new AtomicBoolean();
      results.addAll(
          runWave(
              expanded,
              inWave,
              pipelines,
              identity,
              options.parallel(),
              allowed,
              failures,
              stop,
              done,
              selected.size(),
              listener));
      if (failures.get() > allowed) {
        String why =
            failures.get()
                + " target(s) refused, failed or unreachable, more than failure-threshold "
                + fleet.failureThreshold()
                + " allows ("
                + allowed
                + " of "
                + selected.size()
                + "); wave '"
                + wave
                + "' did not succeed";
        halted = Optional.of(why);
        listener.halted(why);
      } else if (failures.get() > failuresBefore && !wave.equals(lastWave(fleet, selected))) {
        // failure-threshold tolerates failures within a wave; a later wave starts only when every
        // target of the earlier ones succeeded (a failed canary stops the rollout: new user 19/10)
        String why =
            (failures.get() - failuresBefore)
                + " target(s) of wave '"
                + wave
                + "' refused, failed or unreachable: a later wave starts only when every target"
                + " of the earlier waves succeeded (failure-threshold applies within a wave)";
        halted = Optional.of(why);
        listener.halted(why);
      }
    }
    return new Report(fleet.name(), options.shard(), options.wave(), results, allowed, halted);
  }

  /** The last wave that holds any of {@code selected}: no wave comes after it. */
  private static String lastWave(FleetConfig fleet, List<FleetConfig.Target> selected) {
    String last = null;
    for (String wave : fleet.waves()) {
      if (selected.stream().anyMatch(t -> t.wave().equals(wave))) {
        last = wave;
      }
    }
    return last;
  }

  private static List<TargetResult> runWave(
      ProdguardConfig expanded,
      List<FleetConfig.Target> targets,
      Pipelines pipelines,
      Optional<CiIdentity> identity,
      int parallel,
      int allowed,
      AtomicInteger failures,
      AtomicBoolean stop,
      AtomicInteger done,
      int total,
      Listener listener)
      throws InterruptedException {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(parallel, targets.size()),
            r -> {
              Thread t = new Thread(r, "prodguard-fleet");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<TargetResult>> futures = new ArrayList<>();
      for (FleetConfig.Target t : targets) {
        futures.add(
            pool.submit(
                () -> {
                  if (stop.get()) {
                    return notStarted(t, "the rollout halted: failures passed the threshold");
                  }
                  listener.started(t.id());
                  TargetResult r = promoteOne(expanded, t, pipelines, identity);
                  if (r.state().failure() && failures.incrementAndGet() > allowed) {
                    stop.set(true);
                  }
                  listener.finished(r, done.incrementAndGet(), total);
                  return r;
                }));
      }
      List<TargetResult> out = new ArrayList<>();
      for (Future<TargetResult> f : futures) {
        try {
          out.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("a fleet worker failed outside its target", e.getCause());
        }
      }
      return Collections.unmodifiableList(out);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One target's verify → backup → deploy; every outcome becomes a result, never a throw. */
  static TargetResult promoteOne(
      ProdguardConfig expanded,
      FleetConfig.Target t,
      Pipelines pipelines,
      Optional<CiIdentity> identity) {
    long t0 = System.nanoTime();
    try {
      Pipeline p = pipelines.create(expanded, t.id());
      identity.ifPresent(p::verifiedCi);
      Results.Promote r = p.promote(t.id());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (r.verify().upToDate()) {
        return new TargetResult(
            t.id(),
            t.wave(),
            State.UP_TO_DATE,
            "nothing pending",
            Optional.empty(),
            Optional.empty(),
            0,
            ms);
      }
      int applied = r.deploy().map(d -> d.applied().size()).orElse(0);
      Optional<String> run = r.verify().run().map(x -> x.id());
      Optional<String> backup = r.backup().flatMap(b -> b.run().backup()).map(b -> b.path());
      return new TargetResult(
          t.id(),
          t.wave(),
          State.DEPLOYED,
          applied + " migration(s) applied",
          run,
          backup,
          applied,
          ms);
    } catch (GuardRefusal e) {
      // the one way forward, as the single-target refusal gives it (its fix: line)
      return failed(
          t,
          State.REFUSED,
          e.guarantee() + ": " + e.what() + ": " + e.why() + "\nfix: " + e.fix(),
          t0);
    } catch (DeployFailure e) {
      return failed(t, State.FAILED, e.getMessage(), t0);
    } catch (ConfigException e) {
      return failed(t, State.REFUSED, e.render(), t0);
    } catch (dev.prodguard.pipeline.TargetUnreachable e) {
      return failed(t, State.UNREACHABLE, e.getMessage(), t0);
    } catch (SQLException e) {
      return failed(t, State.FAILED, "database error: " + e.getMessage(), t0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(t, State.FAILED, "interrupted", t0);
    } catch (Exception e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return failed(t, State.FAILED, "unexpected failure: " + m, t0);
    }
  }

  private static TargetResult failed(FleetConfig.Target t, State s, String detail, long t0) {
    return new TargetResult(
        t.id(),
        t.wave(),
        s,
        Redactor.redact(detail),
        Optional.empty(),
        Optional.empty(),
        0,
        (System.nanoTime() - t0) / 1_000_000);
  }

  private static TargetResult notStarted(FleetConfig.Target t, String why) {
    return new TargetResult(
        t.id(), t.wave(), State.NOT_STARTED, why, Optional.empty(), Optional.empty(), 0, 0);
  }
}
