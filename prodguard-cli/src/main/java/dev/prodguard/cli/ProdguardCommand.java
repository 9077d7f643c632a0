package dev.prodguard.cli;

import picocli.CommandLine.Command;

/** The top-level {@code prodguard} command. */
@Command(
    name = "prodguard",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Makes unsafe production-database changes technically impossible.",
    subcommands = {
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
      DemoCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 ok; 1 refused by a guard (or findings at error level);",
      "            2 usage or configuration error; 3 unexpected failure."
    })
public final class ProdguardCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Also accepted after the subcommand, where every command has it (CommonOptions). */
  @picocli.CommandLine.Option(
      names = "--debug",
      description = "print stack traces of unexpected failures (and Flyway's own log)")
  boolean debug;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
