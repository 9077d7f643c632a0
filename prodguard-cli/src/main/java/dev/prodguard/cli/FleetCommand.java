package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard fleet matrix NAME --wave W}: the CI job matrix of one wave. */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    description = "Fleets of databases (see also promote --fleet and status --fleet).",
    subcommands = {FleetCommand.Matrix.class})
public final class FleetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Main.USAGE;
  }

  @Command(
      name = "matrix",
      mixinStandardHelpOptions = true,
      description = {
        "Print the CI job matrix of one wave of fleet NAME as one line of JSON: one job per"
            + " non-empty shard.",
        "GitHub Actions: strategy.matrix: $${{ fromJSON(needs.plan.outputs.matrix) }};",
        "each job runs: prodguard promote --fleet NAME --wave W --shard $${{ matrix.shard }}"
      })
  static final class Matrix implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "fleet name")
    String fleet;

    @Option(names = "--wave", required = true, paramLabel = "W", description = "the wave")
    String wave;

    @Option(
        names = "--shards",
        paramLabel = "N",
        defaultValue = "4",
        description = "how many shards (jobs) to split the wave into (default 4)")
    int shards;

    @Override
    public Integer call() throws Exception {
      if (shards < 1 || shards > 1024) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--shards must be between 1 and 1024");
      }
      ProdguardConfig config = common.load();
      return FleetCli.matrix(
          config, fleet, wave, shards, common.context(), spec.commandLine().getOut());
    }
  }
}
