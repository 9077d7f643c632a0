package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.migration.MigrationEngine;
import dev.prodguard.pipeline.DeployFailure;
import dev.prodguard.pipeline.Results;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard deploy ENV}: the last step (G7, G8, G9). */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = {
      "Apply the verified, backed-up migrations of ENV with Flyway, one deploy at a time.",
      "Unprotected environments (dev) deploy directly, with the fingerprint check."
    })
public final class DeployCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ENV", description = "environment name")
  String environment;

  @Option(names = "--run", paramLabel = "ID", description = "the run to deploy (default: latest)")
  String run;

  @Mixin FleetTargetOption fleet;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    ProdguardConfig config = fleet.load(common, environment, true, "deploy " + environment);
    fleet.requireEarlierWavesDone(common, "deploy " + environment);
    PrintWriter out = spec.commandLine().getOut();
    Results.Deploy d;
    try {
      d =
          fleet
              .proven(PipelineSupport.pipeline(common, config, spec.commandLine().getErr()))
              .deploy(environment, Optional.ofNullable(run));
    } catch (DeployFailure f) {
      return PipelineSupport.failed(f, spec.commandLine().getErr());
    }
    if (format.json()) {
      out.println(Json.write(d.toJson()));
      return Main.OK;
    }
    print(out, environment, d);
    return Main.OK;
  }

  static void print(PrintWriter out, String environment, Results.Deploy d) {
    if (d.upToDate()) {
      out.println("'" + environment + "' is up to date: nothing to deploy");
      return;
    }
    out.println(
        "deployed run "
            + d.run().orElseThrow().id()
            + " to '"
            + environment
            + "': "
            + d.applied().size()
            + " migration(s)");
    for (MigrationEngine.Applied a : d.applied()) {
      out.println("    " + a.label() + " (" + a.millis() + " ms)");
    }
  }
}
