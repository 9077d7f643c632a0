package dev.prodguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the built jar (system property prodguard.jar) as a real process, as a user or CI would. */
public final class Cli {
  /** Exit code and output of one run. */
  public record Result(int exit, String out, String err) {
    public String all() {
      return out + err;
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  private Cli() {}

  public static Path jar() {
    String jar = System.getProperty("prodguard.jar");
    if (jar == null) {
      throw new AssertionError(
          "system property prodguard.jar is not set: run through failsafe (mvn verify)");
    }
    return Path.of(jar).toAbsolutePath();
  }

  /** Runs {@code prodguard args} in {@code dir} with exactly the environment {@code env}. */
  public static Result run(Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Map<String, String> exact = new HashMap<>(env);
    exact.putIfAbsent("PATH", System.getenv("PATH"));
    exact.putIfAbsent("HOME", System.getProperty("java.io.tmpdir"));
    return exec(dir, exact, args);
  }

  /** Runs {@code prodguard args} with this JVM's environment, less {@code CI}. */
  public static Result run(Path dir, String... args) throws IOException, InterruptedException {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("CI");
    return exec(dir, env, args);
  }

  private static Result exec(Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar().toString()));
    cmd.addAll(List.of(args));
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
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("prodguard " + String.join(" ", args) + " did not finish");
    }
    t.join();
    return new Result(p.exitValue(), out, err.toString());
  }

  /** Runs git in {@code dir} with a fixed identity. */
  static void git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "git",
                "-c",
                "user.email=t@example.com",
                "-c",
                "user.name=test",
                "-c",
                "commit.gpgsign=false"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
    }
  }
}
