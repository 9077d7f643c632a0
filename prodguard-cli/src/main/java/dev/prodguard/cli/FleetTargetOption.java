package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.fleet.FleetTarget;
import dev.prodguard.pipeline.Pipeline;
import java.sql.SQLException;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --fleet NAME} on a per-environment command: ENV is then the id of a target of that fleet
 * ({@code prodguard drift show t03 --fleet tenants}), reached with every guarantee of an
 * environment (docs/fleets.md, "One target").
 */
final class FleetTargetOption {
  @Option(
      names = "--fleet",
      paramLabel = "NAME",
      description = "ENV is the id of a target of this fleet (its targets: list or catalog)")
  String fleet;

  /** The target, when --fleet was given and {@link #load} resolved it. */
  Optional<FleetTarget.Selected> selected = Optional.empty();

  /**
   * The configuration a command reaches {@code env} with: prodguard.yml as loaded, or with --fleet,
   * the fleet's targets as environments (G1 first for a mutation of a protected fleet).
   */
  ProdguardConfig load(CommonOptions common, String env, boolean mutation, String action)
      throws SQLException {
    ProdguardConfig config = common.load();
    if (fleet == null) {
      return config;
    }
    if (env == null) {
      throw new dev.prodguard.config.ConfigException(
          "--fleet " + fleet + " needs the id of one of its targets in place of ENV");
    }
    FleetTarget.Selected s =
        FleetTarget.select(config, fleet, env, common.context(), mutation, action);
    selected = Optional.of(s);
    common.loaded = s.config();
    return s.config();
  }

  /** {@code pipeline} with G1's proof of {@link #load}, so it is not asked for twice. */
  Pipeline proven(Pipeline pipeline) {
    selected.flatMap(FleetTarget.Selected::identity).ifPresent(pipeline::verifiedCi);
    return pipeline;
  }

  /**
   * G7's wave order, for a command that starts a run on the target (verify, promote): the waves
   * before the target's own must be done.
   */
  void requireEarlierWavesDone(CommonOptions common, String action) {
    selected.ifPresent(
        s -> FleetTarget.requireEarlierWavesDone(s, FleetCli.pipelines(common), action));
  }
}
