package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.pipeline.DeployFailure;
import dev.prodguard.pipeline.Results;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard promote ENV} = verify && backup && deploy, in one process. */
@Command(
    name = "promote",
    mixinStandardHelpOptions = true,
    description = {
      "verify, backup and deploy ENV in one process; stops at the first refusal.",
      "With --fleet NAME: every target of the fleet, wave by wave, --parallel at once."
    })
public final class PromoteCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "ENV",
      arity = "0..1",
      description = "environment name (or --fleet NAME)")
  String environment;

  @Mixin FleetOptions fleet;

  @picocli.CommandLine.Option(
      names = "--wave",
      paramLabel = "W",
      description =
          "with --fleet: only this wave (one CI job per wave; earlier waves must be done)")
  String wave;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    FleetCli.usage(spec.commandLine(), environment, fleet);
    if (wave != null && !fleet.present()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--wave needs --fleet");
    }
    if (wave != null && environment != null) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--wave is for a whole fleet: give --fleet NAME without ENV");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (fleet.present() && environment == null) {
      return FleetCli.promote(
          common,
          common.load(),
          fleet,
          java.util.Optional.ofNullable(wave),
          format.json(),
          out,
          spec.commandLine().getErr());
    }
    FleetTargetOption target = FleetCli.target(fleet);
    ProdguardConfig config = target.load(common, environment, true, "promote " + environment);
    target.requireEarlierWavesDone(common, "promote " + environment);
    Results.Promote p;
    try {
      p =
          target
              .proven(PipelineSupport.pipeline(common, config, spec.commandLine().getErr()))
              .promote(environment);
    } catch (DeployFailure f) {
      return PipelineSupport.failed(f, spec.commandLine().getErr());
    }
    if (format.json()) {
      out.println(Json.write(p.toJson()));
      return Main.OK;
    }
    if (p.verify().upToDate()) {
      out.println("'" + environment + "' is up to date: nothing to promote");
      return Main.OK;
    }
    String id = p.verify().run().orElseThrow().id();
    out.println("verified run " + id);
    p.backup()
        .ifPresent(
            b ->
                out.println(
                    "backed up to "
                        + b.run().backup().orElseThrow().path()
                        + " (sha256 "
                        + b.run().backup().get().sha256()
                        + ")"));
    p.backup()
        .ifPresent(
            b ->
                b.restoreCheckLeftOut()
                    .forEach(l -> out.println("  restore check left out: " + l)));
    p.deploy().ifPresent(d -> DeployCommand.print(out, environment, d));
    return Main.OK;
  }
}
