package dev.prodguard.fleet;

import dev.prodguard.ci.CiIdentity;
import dev.prodguard.ci.CiVerifiers;
import dev.prodguard.config.ConfigException;
import dev.prodguard.config.FleetConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.RunContext;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * One target of a fleet addressed by its id ({@code prodguard verify t05 --fleet tenants}, and
 * every other per-environment command): the fleet's targets are resolved as for a rollout (its
 * static list, then its catalog query), the id must be one of them, its URL must pass the fleet's
 * {@code hosts:} (G3), and the configuration returned holds every target as an environment, so the
 * command then reaches the target by name with every guarantee an environment has (G1 for a
 * mutation, G2 its fingerprint, G3 its URL, G7–G10 in the target).
 */
public final class FleetTarget {
  private FleetTarget() {}

  /**
   * What a command needs to reach target {@code id} of fleet {@code fleetName}.
   *
   * @param config the configuration with the fleet's targets as environments
   * @param target the target
   * @param identity G1's proof, when the command is a mutation of a protected fleet
   */
  public record Selected(
      ProdguardConfig config,
      FleetConfig fleet,
      FleetConfig.Target target,
      List<FleetConfig.Target> all,
      Optional<CiIdentity> identity) {}

  /**
   * Resolves target {@code id}.
   *
   * @param mutation true for a command that changes the target: G1 is then proven first for a
   *     protected fleet, before any connection (the catalog read included), as a rollout does
   * @param action what the command does, for a refusal's text
   * @throws dev.prodguard.db.GuardRefusal G1 or G3
   * @throws ConfigException when the fleet has no such target (naming the ones it has)
   * @throws SQLException when the catalog cannot be read
   */
  public static Selected select(
      ProdguardConfig config,
      String fleetName,
      String id,
      RunContext context,
      boolean mutation,
      String action)
      throws SQLException {
    FleetConfig fleet = config.fleet(fleetName);
    Optional<CiIdentity> identity = Optional.empty();
    if (mutation && fleet.isProtected()) {
      identity = Optional.of(CiVerifiers.forConfig(config).verify(context, action));
    }
    List<FleetConfig.Target> all = FleetTargets.resolve(config, fleet, context);
    FleetConfig.Target target =
        all.stream()
            .filter(t -> t.id().equals(id))
            .findFirst()
            .orElseThrow(
                () ->
                    new ConfigException(
                        fleet.file(),
                        fleet.line(),
                        "fleets." + fleet.name(),
                        "fleet '"
                            + fleet.name()
                            + "' has no target '"
                            + id
                            + "' ("
                            + all.size()
                            + " target(s)"
                            + (all.isEmpty()
                                ? ""
                                : ": "
                                    + String.join(
                                        ", ",
                                        all.stream().limit(10).map(FleetConfig.Target::id).toList())
                                    + (all.size() > 10 ? ", ..." : ""))
                            + ")"));
    FleetTargets.requireUsableUrls(fleet, List.of(target), context);
    return new Selected(
        FleetTargets.asEnvironments(config, fleet, all), fleet, target, all, identity);
  }

  /**
   * G7's wave order for one target: a run may start on a target only when every target of the waves
   * before its own has nothing pending, as for {@code promote --fleet NAME --wave W}.
   *
   * @throws dev.prodguard.db.GuardRefusal G7 naming the targets that are not done
   */
  public static void requireEarlierWavesDone(
      Selected s, FleetRollout.Pipelines pipelines, String action) {
    try {
      FleetWaves.requireEarlierWavesDone(
          s.config(), s.fleet(), s.all(), s.target().wave(), pipelines, s.identity());
    } catch (dev.prodguard.db.GuardRefusal r) {
      throw new dev.prodguard.db.GuardRefusal(r.guarantee(), action, r.why(), r.fix());
    }
  }
}
