package dev.prodguard.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;

/**
 * The top-level {@code prodguard} command. Its subcommands are added by {@link Main#commandLine}:
 * all of them, or, for a run of one named subcommand, only that one ({@link #only}), since picocli
 * builds the model of every command it is given (a tenth of a short command's start-up).
 */
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
  /** Every subcommand, in the order {@code prodguard --help} lists them. */
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

  /**
   * The subcommand {@code args} run, when the first argument is exactly one's name (or alias);
   * anything else (an option, a misspelt name, nothing) needs them all for its message.
   */
  static Optional<Class<?>> only(String... args) {
    if (args.length == 0) {
      return Optional.empty();
    }
    for (Class<?> c : SUBCOMMANDS) {
      Command command = c.getAnnotation(Command.class);
      if (command.name().equals(args[0]) || List.of(command.aliases()).contains(args[0])) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

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
