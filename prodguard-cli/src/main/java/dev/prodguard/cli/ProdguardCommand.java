package dev.prodguard.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;

/** The top-level {@code prodguard} command. */
@Command(
    name = "prodguard",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Makes unsafe production-database changes technically impossible.",
    footer = {
      "",
      "Exit codes: 0 ok; 1 refused by a guard (or findings at error level);",
      "            2 usage or configuration error; 3 unexpected failure."
    })
public final class ProdguardCommand implements Runnable {
  /**
   * The subcommands, in the order the usage lists them. Not in the annotation: {@link Main} builds
   * picocli's model only for the one a run names (the whole model took a third of a second of every
   * start), and all of them when none is named.
   */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          InitFingerprintCommand.class,
          CheckCommand.class,
          CiCommand.class,
          VerifyCommand.class,
          BackupCommand.class,
          DeployCommand.class,
          PromoteCommand.class,
          StatusCommand.class,
          DriftCommand.class,
          RepairCommand.class,
          TraceCommand.class,
          AuditCommand.class,
          LintCommand.class,
          ContractCommand.class,
          ScanCommand.class,
          SyncCommand.class,
          FleetCommand.class,
          DemoCommand.class);

  /** The subcommand named {@code name}, if one is. */
  static Optional<Class<?>> subcommand(String name) {
    for (Class<?> c : SUBCOMMANDS) {
      if (c.getAnnotation(Command.class).name().equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
