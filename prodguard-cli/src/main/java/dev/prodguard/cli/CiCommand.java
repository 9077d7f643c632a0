package dev.prodguard.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code prodguard ci ...}: the CI identity (G1). */
@Command(
    name = "ci",
    mixinStandardHelpOptions = true,
    description = "CI identity (G1): what proves that a command runs in CI.",
    subcommands = {CiWhoamiCommand.class})
public final class CiCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
