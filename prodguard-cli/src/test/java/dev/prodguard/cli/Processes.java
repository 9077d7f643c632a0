package dev.prodguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command (a script, an installed launcher) as a real process with an exact environment. */
final class Processes {
  private Processes() {}

  /** This checkout's root (the parent of the prodguard-cli module the tests run in). */
  static Path repositoryRoot() {
    Path module = Path.of("").toAbsolutePath();
    return module.getFileName().toString().equals("prodguard-cli") ? module.getParent() : module;
  }

  static Cli.Result run(Path dir, Map<String, String> env, List<String> cmd)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    StringBuilder err = new StringBuilder();
    Thread t =
        new Thread(
            () -> {
              try (InputStream in = p.getErrorStream()) {
                err.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException ignored) {
                // the exit code tells
              }
            });
    t.start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    t.join();
    return new Cli.Result(p.exitValue(), out, err.toString());
  }
}
