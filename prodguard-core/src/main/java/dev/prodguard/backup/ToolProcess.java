package dev.prodguard.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs a client tool with a clean, explicit environment. */
final class ToolProcess {
  private ToolProcess() {}

  record Result(int exit, String stdout, String stderrTail) {}

  /**
   * A process builder whose environment has every variable starting with one of {@code cleared}
   * removed and {@code env} added.
   */
  static ProcessBuilder builder(
      List<String> command, Map<String, String> env, List<String> cleared) {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> cleared.stream().anyMatch(k::startsWith));
    e.putAll(env);
    return pb;
  }

  /** Runs to completion, collecting output (small outputs only). */
  static Result run(
      List<String> command,
      Map<String, String> env,
      List<String> cleared,
      Optional<Path> stdin,
      long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = builder(diesWithCaller(command), env, cleared);
    stdin.ifPresent(p -> pb.redirectInput(p.toFile()));
    Process p = pb.start();
    if (stdin.isEmpty()) {
      p.getOutputStream().close();
    }
    StderrTail err = new StderrTail(p.getErrorStream(), line -> {});
    err.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() < 4 << 20) {
          out.write(buf, 0, n);
        }
      }
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
    }
    err.join();
    return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.tail());
  }

  /**
   * Where the system has {@code setpriv} (util-linux), the tool started through {@code setpriv
   * --pdeathsig KILL}: the kernel kills it when the thread that started it ends, so a tool the
   * caller waits for does not outlive a JVM killed hard (a restore check's {@code pg_restore}
   * otherwise went on copying production's data into its scratch database, G9). Only for tools the
   * starting thread waits for ({@link #run}); elsewhere the command as it is.
   */
  static List<String> diesWithCaller(List<String> command) {
    if (SETPRIV.isEmpty()) {
      return command;
    }
    List<String> wrapped =
        new java.util.ArrayList<>(List.of(SETPRIV.get(), "--pdeathsig", "KILL", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static final Optional<String> SETPRIV = setpriv();

  private static Optional<String> setpriv() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return Optional.empty();
    }
    for (String p : List.of("/usr/bin/setpriv", "/bin/setpriv")) {
      if (java.nio.file.Files.isExecutable(Path.of(p))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Reads a process's stderr line by line, keeping the last lines for error messages. */
  static final class StderrTail extends Thread {
    private final InputStream in;
    private final java.util.function.Consumer<String> onLine;
    private final Deque<String> last = new ArrayDeque<>();

    StderrTail(InputStream in, java.util.function.Consumer<String> onLine) {
      super("tool-stderr");
      setDaemon(true);
      this.in = in;
      this.onLine = onLine;
    }

    @Override
    public void run() {
      try (var r =
          new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          onLine.accept(line);
          synchronized (last) {
            last.addLast(line);
            if (last.size() > 20) {
              last.removeFirst();
            }
          }
        }
      } catch (IOException e) {
        // the process ended; what was read is what there is
      }
    }

    String tail() {
      synchronized (last) {
        return String.join("\n", last);
      }
    }

    /** The last lines that are not verbose progress. */
    String errors(java.util.function.Predicate<String> progress) {
      synchronized (last) {
        return String.join("\n", last.stream().filter(progress.negate()).toList());
      }
    }
  }
}
