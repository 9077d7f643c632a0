package dev.prodguard.demo;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The entry point of {@code prodguard-demo.jar}. Users reach it through {@code prodguard demo}: the
 * CLI runs this jar and passes its own path as {@code --cli-jar}, so that every step of the demo
 * runs the real prodguard jar as a separate process, as a user would.
 */
@Command(
    name = "prodguard demo",
    mixinStandardHelpOptions = true,
    description = {
      "Try every guarantee for real on two embedded PostgreSQL servers.",
      "Starts dev and prod and a sample project in a temporary directory, and",
      "runs each step as the command a user would type. Exit 0 when every",
      "guarantee behaved as promised, 1 otherwise. Cleans up, also on Ctrl-C.",
      "See docs/demo.md."
    })
public final class DemoMain implements Callable<Integer> {
  /** The output formats of the summary. */
  enum Format {
    text,
    json
  }

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

  @Option(
      names = "--cli-jar",
      required = true,
      paramLabel = "JAR",
      description = "the prodguard jar that every step runs (set by 'prodguard demo')")
  Path cliJar;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean json = format == Format.json;
    Ansi ansi = spec.commandLine().getColorScheme().ansi();
    return new Demo(cliJar.toAbsolutePath(), json ? err : out, out, ansi, json, keep).run();
  }

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new DemoMain()).setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(new PrintWriter(System.out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(System.err, true, StandardCharsets.UTF_8));
    System.exit(cl.execute(args));
  }
}
