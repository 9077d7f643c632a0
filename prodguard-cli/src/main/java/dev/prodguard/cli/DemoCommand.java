package dev.prodguard.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code prodguard demo}: the whole story on two embedded PostgreSQL servers, no setup.
 *
 * <p>The demo and its PostgreSQL binaries ship as their own artifact ({@code prodguard-demo.jar},
 * module {@code prodguard-demo}), so the CLI jar stays small. This command finds that jar ({@code
 * PRODGUARD_DEMO_JAR}, next to this jar, or in a source checkout's {@code prodguard-demo/target})
 * and runs it with this jar as the one every step runs.
 */
@Command(
    name = "demo",
    resourceBundle = "dev.prodguard.cli.DemoFormats",
    mixinStandardHelpOptions = true,
    description = {
      "Try every guarantee for real on two embedded PostgreSQL servers.",
      "Starts dev and prod and a sample project in a temporary directory, and",
      "runs each step as the command a user would type. Exit 0 when every",
      "guarantee behaved as promised, 1 otherwise. Cleans up, also on Ctrl-C.",
      "Needs prodguard-demo.jar (built with the project). See docs/demo.md."
    })
public final class DemoCommand implements Callable<Integer> {
  static final String DEMO_JAR = "prodguard-demo.jar";

  @Spec CommandSpec spec;

  @Option(
      names = "--keep",
      description = "keep the servers and the project running for exploration until Ctrl-C")
  boolean keep;

  @Mixin FormatOption format;

  @Override
  public Integer call() throws Exception {
    Optional<Path> own = ownJar();
    if (own.isEmpty()) {
      throw new dev.prodguard.config.ConfigException(
          "prodguard demo runs from the built jar (every step runs it as a separate process):"
              + " use ./prodguard demo");
    }
    Optional<Path> demo = demoJar(own.get());
    if (demo.isEmpty()) {
      throw new dev.prodguard.config.ConfigException(
          "prodguard demo needs "
              + DEMO_JAR
              + " (the demo and its embedded PostgreSQL ship separately): build it with"
              + " './mvnw -DskipTests package' in a prodguard checkout and run ./prodguard demo,"
              + " or set PRODGUARD_DEMO_JAR to its path");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(demo.get().toString());
    cmd.add("--cli-jar");
    cmd.add(own.get().toString());
    cmd.add("--format");
    cmd.add(format.get().name());
    if (keep) {
      cmd.add("--keep");
    }
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().flush();
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    // Ctrl-C reaches the demo too (same process group). A SIGTERM sent to this process alone
    // (a CI job cancelled, kill) must reach it as well: the demo cleans up its servers on either,
    // and this process ends only after it.
    Thread forward =
        new Thread(
            () -> {
              if (p.isAlive()) {
                p.destroy();
                try {
                  p.waitFor(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            },
            "prodguard-demo-stop");
    Runtime.getRuntime().addShutdownHook(forward);
    int exit = p.waitFor();
    Runtime.getRuntime().removeShutdownHook(forward);
    return exit;
  }

  /** {@code PRODGUARD_DEMO_JAR}, then beside this jar, then {@code prodguard-demo/target}. */
  static Optional<Path> demoJar(Path ownJar) {
    List<Path> candidates = new ArrayList<>();
    String explicit = System.getenv("PRODGUARD_DEMO_JAR");
    if (explicit != null && !explicit.isBlank()) {
      return Optional.of(Path.of(explicit)).filter(Files::isRegularFile);
    }
    Path dir = ownJar.getParent();
    candidates.add(dir.resolve(DEMO_JAR));
    if (dir.getParent() != null && dir.getParent().getParent() != null) {
      candidates.add(
          dir.getParent().getParent().resolve("prodguard-demo/target").resolve(DEMO_JAR));
    }
    return candidates.stream().filter(Files::isRegularFile).findFirst();
  }

  /** The jar this class was loaded from; empty when not running from a jar (an IDE, tests). */
  static Optional<Path> ownJar() {
    CodeSource source = DemoCommand.class.getProtectionDomain().getCodeSource();
    if (source == null) {
      return Optional.empty();
    }
    try {
      Path p = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(p) && p.toString().endsWith(".jar")
          ? Optional.of(p.toAbsolutePath())
          : Optional.empty();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
