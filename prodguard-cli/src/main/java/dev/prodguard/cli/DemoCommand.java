package dev.prodguard.cli;

import dev.prodguard.cli.demo.Demo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code prodguard demo}: the whole story on two embedded PostgreSQL servers, no setup. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Try every guarantee for real on two embedded PostgreSQL servers.",
      "Starts dev and prod and a sample project in a temporary directory, and",
      "runs each step as the command a user would type. Exit 0 when every",
      "guarantee behaved as promised, 1 otherwise. Cleans up, also on Ctrl-C.",
      "See docs/demo.md."
    })
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--keep",
      description = "keep the servers and the project running for exploration until Ctrl-C")
  boolean keep;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "text, or json (the summary on stdout, the story on stderr)")
  Format format;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean json = format == Format.json;
    Ansi ansi = spec.commandLine().getColorScheme().ansi();
    return new Demo(json ? err : out, out, ansi, json, keep).run();
  }
}
