package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.migration.PendingMigration;
import dev.prodguard.pipeline.Results;
import dev.prodguard.pipeline.Run;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard verify ENV}: the first step of the pipeline. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check ENV and record a verification of exactly its pending migrations.",
      "Checks CI identity, URL, fingerprint, Flyway validate and the contract; the",
      "verification is valid for pipeline.verification-ttl."
    })
public final class VerifyCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ENV", description = "environment name")
  String environment;

  @Mixin FleetTargetOption fleet;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    ProdguardConfig config = fleet.load(common, environment, true, "verify " + environment);
    fleet.requireEarlierWavesDone(common, "verify " + environment);
    PrintWriter out = spec.commandLine().getOut();
    Results.Verify v =
        fleet
            .proven(PipelineSupport.pipeline(common, config, spec.commandLine().getErr()))
            .verify(environment);
    if (format.json()) {
      out.println(Json.write(v.toJson()));
      return Main.OK;
    }
    if (v.upToDate()) {
      out.println(
          "'"
              + environment
              + "' is up to date: no pending migrations, no run recorded (audited as up_to_date)");
      PipelineSupport.printInvalidIndexes(out, v.invalidIndexes());
      return Main.OK;
    }
    Run r = v.run().orElseThrow();
    out.println(
        "verified '"
            + environment
            + "': "
            + r.migrationCount()
            + " pending migration(s), run "
            + r.id()
            + ", valid until "
            + r.verificationExpiresAt());
    for (PendingMigration p : v.set().pending()) {
      out.println("    " + p.file().relativePath() + "  sha256 " + p.file().sha256());
    }
    PipelineSupport.describeRun(out, r);
    PipelineSupport.printInvalidIndexes(out, v.invalidIndexes());
    out.println("next: prodguard backup " + config.address(environment));
    return Main.OK;
  }
}
