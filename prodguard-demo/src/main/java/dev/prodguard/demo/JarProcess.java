package dev.prodguard.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs this very prodguard jar as a separate process ({@code java -jar prodguard.jar ...}) in a
 * given directory with exactly the given environment: what the demo shows is what a user typing the
 * command would get.
 */
final class JarProcess {
  /** Short-lived CLI runs finish before C2 pays off; the launcher script does the same. */
  static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private static final long TIMEOUT_SECONDS = 180;

  /** Exit code and output of one run. */
  record Result(int exit, String out, String err, long millis) {
    String all() {
      return out + err;
    }
  }

  /** A started run. */
  final class Running {
    private final Process process;
    private final Path out;
    private final Path err;
    private final long started;

    private Running(Process process, Path out, Path err, long started) {
      this.process = process;
      this.out = out;
      this.err = err;
      this.started = started;
    }

    boolean isAlive() {
      return process.isAlive();
    }

    Result await() throws InterruptedException {
      try {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
          return new Result(
              -1, read(out), read(err) + "\n(no answer within " + TIMEOUT_SECONDS + " s)", 0);
        }
        return new Result(
            process.exitValue(),
            read(out),
            read(err),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      } finally {
        running.remove(process);
      }
    }
  }

  private final Path jar;
  private final Path logs;
  private final Set<Process> running = ConcurrentHashMap.newKeySet();
  private final AtomicInteger counter = new AtomicInteger();
  private volatile boolean stopped;

  JarProcess(Path jar, Path logs) {
    this.jar = jar;
    this.logs = logs;
  }

  Path jar() {
    return jar;
  }

  Result run(Path dir, Map<String, String> env, List<String> args) throws InterruptedException {
    return start(dir, env, args).await();
  }

  Running start(Path dir, Map<String, String> env, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTIONS);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    int n = counter.incrementAndGet();
    Path out = logs.resolve(String.format("%02d-%s.out", n, args.get(0)));
    Path err = logs.resolve(String.format("%02d-%s.err", n, args.get(0)));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    if (stopped) {
      throw new IllegalStateException("the demo is stopping");
    }
    try {
      Files.createDirectories(logs);
      Process p = pb.start();
      running.add(p);
      if (stopped) { // Ctrl-C came while it started
        p.destroyForcibly();
      }
      return new Running(p, out, err, System.nanoTime());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    }
  }

  /** Ctrl-C: stop whatever is still running. */
  void destroyAll() {
    stopped = true;
    for (Process p : running) {
      p.destroyForcibly();
    }
    for (Process p : running) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static String read(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + f + ": " + e.getMessage() + ")";
    }
  }
}
