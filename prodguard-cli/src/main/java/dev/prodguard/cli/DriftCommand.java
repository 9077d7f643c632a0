package dev.prodguard.cli;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.guard.drift.SchemaDiff;
import dev.prodguard.pipeline.DriftReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code prodguard drift show|accept ENV}: schema changes made outside the pipeline (G7). */
@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    description = {
      "Compare ENV's schema with the one its last deploy left (G7, docs/drift.md).",
      "verify and deploy refuse on drift; 'drift accept' is the reviewed way past it."
    },
    subcommands = {DriftCommand.Show.class, DriftCommand.Accept.class})
public final class DriftCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "List, object by object, how ENV's schema differs from the last deploy's (read-only).",
        "Exit 1 when it differs."
      })
  static final class Show implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ENV", description = "environment name")
    String environment;

    @Mixin FleetTargetOption fleet;

    @Mixin FormatOption format;

    @Override
    public Integer call() throws Exception {
      // CI-only on a protected environment (it reads with the deploy's credential): a mutation's G1
      ProdguardConfig config = fleet.load(common, environment, true, "drift show " + environment);
      DriftReport r =
          fleet
              .proven(PipelineSupport.pipeline(common, config, spec.commandLine().getErr()))
              .driftShow(environment);
      print(spec.commandLine().getOut(), r, format);
      return r.drifted() ? Main.REFUSED : Main.OK;
    }
  }

  @Command(
      name = "accept",
      mixinStandardHelpOptions = true,
      description = {
        "Record ENV's current schema as the one verify compares with, drift included.",
        "A mutation: CI only on a protected environment (G1); audited with the reason and every",
        "accepted change (G10). Run it from the reviewed pipeline, not by hand."
      })
  static final class Accept implements Callable<Integer> {
    @Mixin CommonOptions common;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ENV", description = "environment name")
    String environment;

    @Option(
        names = "--reason",
        required = true,
        paramLabel = "TEXT",
        description = "why the change stays, as the reviewer agreed (recorded and audited)")
    String reason;

    @Mixin FleetTargetOption fleet;

    @Mixin FormatOption format;

    @Override
    public Integer call() throws Exception {
      if (reason.isBlank()) {
        // a usage error (exit 2), as for 'repair --reason': the reason is what the audit keeps
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--reason must say why the changed schema may stay");
      }
      ProdguardConfig config = fleet.load(common, environment, true, "drift accept " + environment);
      DriftReport r =
          fleet
              .proven(PipelineSupport.pipeline(common, config, spec.commandLine().getErr()))
              .driftAccept(environment, reason);
      print(spec.commandLine().getOut(), r, format);
      return Main.OK;
    }
  }

  static void print(PrintWriter out, DriftReport r, FormatOption format) {
    if (format.json()) {
      out.println(Json.write(r.toJson()));
      return;
    }
    String env = "'" + r.environment() + "'";
    String now = " (schema sha256 " + r.currentSha256() + ", " + r.currentObjects() + " objects)";
    if (r.reference().isEmpty() && !r.accepted()) {
      out.println(
          "no schema recorded for "
              + env
              + " yet"
              + now
              + ": the next deploy records one (or 'drift accept')");
      return;
    }
    if (r.accepted()) {
      out.println(
          "accepted: "
              + env
              + "'s current schema is the reference now"
              + now
              + (r.drifted() ? "; " + r.diff().changes().size() + " change(s) accepted:" : ""));
    } else if (r.drifted()) {
      out.println(
          "drift: "
              + env
              + " differs from "
              + r.reference().get().describe()
              + " in "
              + r.diff().changes().size()
              + " object(s)"
              + now
              + ":");
    } else {
      out.println(
          "no drift: " + env + " is what " + r.reference().get().describe() + " left" + now);
    }
    for (SchemaDiff.Change c : r.diff().changes()) {
      out.println("  " + c.line());
    }
    if (!r.note().isEmpty()) {
      out.println(r.note());
    }
  }
}
