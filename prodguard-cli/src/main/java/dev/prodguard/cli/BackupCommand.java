package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.pipeline.Results;
import dev.prodguard.pipeline.Run;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard backup ENV}: the second step (G9). */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Back up ENV for its live verification, hashed and checked.",
      "pg_dump -Fc / mariadb-dump --single-transaction; the bytes are hashed as they are",
      "written, the dump is checked, and optionally restore-checked."
    })
public final class BackupCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ENV", description = "environment name")
  String environment;

  @Option(names = "--run", paramLabel = "ID", description = "the run to back up (default: latest)")
  String run;

  @Mixin FleetTargetOption fleet;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    ProdguardConfig config = fleet.load(common, environment, true, "backup " + environment);
    PrintWriter out = spec.commandLine().getOut();
    Results.Backup b =
        fleet
            .proven(PipelineSupport.pipeline(common, config, spec.commandLine().getErr()))
            .backup(environment, Optional.ofNullable(run));
    if (format.json()) {
      out.println(Json.write(b.toJson()));
      return Main.OK;
    }
    Run r = b.run();
    Run.Backup bk = r.backup().orElseThrow();
    out.println("backed up '" + environment + "' for run " + r.id());
    out.println("  file:     " + bk.path());
    out.println("  size:     " + PipelineSupport.mib(bk.size()) + " (" + bk.size() + " bytes)");
    out.println("  sha256:   " + bk.sha256());
    out.println(
        "  took:     "
            + PipelineSupport.seconds(bk.durationMillis())
            + ", "
            + b.tables()
            + " table(s)"
            + (b.restoreChecked() ? ", restore-checked" : ""));
    for (String left : b.restoreCheckLeftOut()) {
      out.println("  restore check left out: " + left);
    }
    out.println("  valid until " + r.expiresAt());
    out.println("next: prodguard deploy " + config.address(environment));
    return Main.OK;
  }
}
