package dev.prodguard.fleet;

import dev.prodguard.ci.CiIdentity;
import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.pipeline.Results;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Waves run as separate CI jobs ({@code --wave W}, one dependent job per wave): the CI orders the
 * jobs, prodguard checks the order. Before wave W starts, every target of the waves before it (in
 * every shard) must have nothing pending, read from the targets themselves (G7: the order lives in
 * the databases, not in the CI's memory of which job passed).
 */
final class FleetWaves {
  private static final int MAX_NAMED = 10;

  private FleetWaves() {}

  /**
   * Why a target of an earlier wave is not done, empty when it is: nothing pending is not enough. A
   * failed migration (a non-transactional one leaves a failed row, and nothing is pending), a
   * validation problem, a deploy in progress, a last run that failed or was marked failed, or an
   * index a failed build left behind all mean the wave did not succeed there.
   */
  static Optional<String> notDone(Results.Status s) {
    if (!s.validationProblems().isEmpty()) {
      return Optional.of("validation: " + firstLine(s.validationProblems().get(0)));
    }
    if (!s.pending().isEmpty()) {
      return Optional.of(s.pending().size() + " pending");
    }
    if (s.lockHolderSession().isPresent()) {
      return Optional.of("a deploy is running");
    }
    if (s.lastRun().isPresent()
        && (s.lastRun().get().status() == dev.prodguard.pipeline.RunStatus.FAILED
            || s.lastRun().get().status() == dev.prodguard.pipeline.RunStatus.DEPLOYING)) {
      return Optional.of(
          "last run " + s.lastRun().get().id() + " " + s.lastRun().get().status().db());
    }
    if (!s.markedFailed().isEmpty()) {
      return Optional.of("run " + s.markedFailed().get(0).id() + " marked failed");
    }
    if (!s.invalidIndexes().isEmpty()) {
      return Optional.of(s.invalidIndexes().size() + " invalid index(es) left by a failed build");
    }
    return Optional.empty();
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }

  static void requireEarlierWavesDone(
      ProdguardConfig expanded,
      FleetConfig fleet,
      List<FleetConfig.Target> all,
      String wave,
      FleetRollout.Pipelines pipelines,
      Optional<CiIdentity> identity) {
    int index = fleet.waves().indexOf(wave);
    List<String> earlier = fleet.waves().subList(0, index);
    if (earlier.isEmpty()) {
      return;
    }
    List<String> unfinished = new ArrayList<>();
    int count = 0;
    for (FleetConfig.Target t : all) {
      if (!earlier.contains(t.wave())) {
        continue;
      }
      String problem;
      try {
        Results.Status s = pipelines.create(expanded, t.id()).status(t.id());
        problem = notDone(s).map(why -> t.id() + " (" + why + ")").orElse(null);
      } catch (GuardRefusal e) {
        problem = t.id() + " (" + e.guarantee() + ": " + e.why() + ")";
      } catch (Exception e) {
        problem = t.id() + " (unreadable: " + e.getMessage() + ")";
      }
      if (problem != null) {
        count++;
        if (unfinished.size() < MAX_NAMED) {
          unfinished.add(problem);
        }
      }
    }
    if (count > 0) {
      throw new GuardRefusal(
          Guarantee.G7,
          "promote --fleet " + fleet.name() + " --wave " + wave,
          count
              + " target(s) of the earlier wave(s) "
              + earlier
              + " are not done: "
              + String.join(", ", unfinished)
              + (count > unfinished.size() ? ", ..." : "")
              + "; a wave starts only when the waves before it succeeded",
          "finish the earlier wave first: rerun its job (prodguard promote --fleet "
              + fleet.name()
              + " --wave "
              + earlier.get(earlier.size() - 1)
              + ")");
    }
  }
}
