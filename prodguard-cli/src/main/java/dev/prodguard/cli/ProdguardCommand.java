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
    // the options this command takes before the subcommand: --debug, -c/--config FILE
    int first = 0;
    while (first < args.length) {
      String a = args[first];
      if (a.equals("--debug")
          || a.startsWith("--config=")
          || (a.startsWith("-c") && a.length() > 2)) {
        first++;
      } else if (a.equals("-c") || a.equals("--config")) {
        first += 2;
      } else {
        break;
      }
    }
    if (first >= args.length) {
      return Optional.empty();
    }
    String name = args[first];
    for (Class<?> c : SUBCOMMANDS) {
      Command command = c.getAnnotation(Command.class);
      if (command.name().equals(name) || List.of(command.aliases()).contains(name)) {
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

  /**
   * Also accepted after the subcommand, where every command that reads a configuration has it
   * (CommonOptions); given here, it is handed to the subcommand ({@link Main#commandLine}).
   */
  @picocli.CommandLine.Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "prodguard.yml to use (default: prodguard.yml); before or after the command")
  java.nio.file.Path config;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
