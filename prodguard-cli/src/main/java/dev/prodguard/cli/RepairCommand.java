package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.pipeline.Results;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard repair ENV --reason TEXT}: the one history repair, guarded and audited. */
@Command(
    name = "repair",
    mixinStandardHelpOptions = true,
    description = {
      "Remove the failed entry a migration left in ENV's migration history (Flyway refuses every",
      "later validate and migrate until it is gone), after you removed what the migration left.",
      "Protected environments: only from CI (G1), under the deploy lock (G8), audited with the",
      "reason (G10). Successful entries are never removed: review a deleted, skipped or future",
      "migration in the contract's history instead. Also settles a run whose deploy died inside",
      "a migration no transaction bounds (G7), once you checked what it left."
    })
public final class RepairCommand implements Callable<Integer> {
  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ENV", description = "environment name")
  String environment;

  @Option(
      names = "--reason",
      required = true,
      paramLabel = "TEXT",
      description = "why the failed entry may go (recorded in the audit)")
  String reason;

  @Mixin FleetTargetOption fleet;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    if (reason.isBlank()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--reason must say why the failed entry may go");
    }
    ProdguardConfig config = fleet.load(common, environment, true, "repair " + environment);
    PrintWriter out = spec.commandLine().getOut();
    Results.Repair r =
        fleet
            .proven(PipelineSupport.pipeline(common, config, spec.commandLine().getErr()))
            .repairing(environment, reason);
    List<String> removed = r.removed();
    if (format.json()) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("environment", environment);
      j.put("removed", removed);
      j.put("settled", r.settled());
      out.println(Json.write(j));
      return Main.OK;
    }
    if (!r.settled().isEmpty()) {
      out.println(
          "'"
              + environment
              + "': settled the run(s) whose deploy died inside a migration no transaction bounds"
              + " (G7), audited with the reason: "
              + String.join(", ", r.settled()));
    }
    if (removed.isEmpty() && !r.settled().isEmpty()) {
      out.println(
          "next: "
              + Results.startOver(
                  config.environment(environment).isProtected(), config.address(environment)));
    } else if (removed.isEmpty()) {
      out.println(
          "'" + environment + "': the history records no failed migration; nothing to repair");
    } else {
      out.println(
          "'"
              + environment
              + "': removed the failed history entry of "
              + String.join(", ", removed)
              + " (audited with the reason); fix the migration, then: "
              + Results.startOver(
                  config.environment(environment).isProtected(), config.address(environment)));
    }
    return Main.OK;
  }
}
