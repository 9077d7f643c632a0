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
        problem = s.pending().isEmpty() ? null : t.id() + " (" + s.pending().size() + " pending)";
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
