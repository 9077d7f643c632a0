package dev.prodguard.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the built jar as a real process, as a user or CI would. */
public final class Cli {
  /** Exit code and output of one run. */
  public record Result(int exit, String out, String err) {
    public String all() {
      return out + err;
    }
  }

  private Cli() {}

  public static Path jar() {
    String jar = System.getProperty("prodguard.jar");
    if (jar == null) {
      throw new AssertionError(
          "system property prodguard.jar is not set: run through failsafe (mvn verify)");
    }
    return Path.of(jar);
  }

  /** Runs {@code prodguard args} in {@code dir} with exactly the environment {@code env}. */
  public static Result run(Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("HOME", System.getProperty("java.io.tmpdir"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    var out = p.getInputStream().readAllBytes();
    var err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("prodguard " + String.join(" ", args) + " did not finish");
    }
    return new Result(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
