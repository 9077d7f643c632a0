package dev.prodguard.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An embedded scratch server ({@link EmbeddedScratchServer}) stops with its trace, on failure and
 * on Ctrl-C (a shutdown hook); a JVM killed hard (SIGKILL: a CI job's hard cancel, the OOM killer)
 * runs no hook, and its server went on running, re-parented to init, with the copy of the target's
 * schema in its directory. So each server's directory records its owner (the JVM's pid and start
 * time, file {@code owner}), and every trace first reaps the directories under the scratch root
 * whose owner is provably gone: only prodguard's own ({@code prodguard-trace-pg-*}, a real
 * directory owned by this user, with an owner record), the server stopped only when the pid in its
 * {@code data/postmaster.pid} is a process whose command line names that data directory. A
 * directory without an owner record (one being created, or an older prodguard's) is left alone.
 */
final class ScratchServerReaper {
  private ScratchServerReaper() {}

  static final String PREFIX = "prodguard-trace-pg-";
  static final String OWNER = "owner";

  /** Records this JVM as the owner of {@code dir} (written whole, then moved in place). */
  static void markOwner(Path dir) throws IOException {
    ProcessHandle me = ProcessHandle.current();
    String start = me.info().startInstant().map(Instant::toString).orElse("?");
    Path tmp = dir.resolve(OWNER + ".tmp");
    Files.writeString(tmp, me.pid() + " " + start + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(OWNER), StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Stops the servers and deletes the directories under {@code root} whose owner is gone; returns
   * the directories reaped. Never throws: what it cannot judge it leaves.
   */
  static List<Path> reap(Path root) {
    List<Path> reaped = new ArrayList<>();
    Object me;
    try {
      me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | RuntimeException e) {
      return reaped; // not Linux: nothing to judge ownership by
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
      for (Path dir : dirs) {
        try {
          if (orphaned(dir, me) && stopServer(dir)) {
            PostgresBinaries.deleteTree(dir);
            reaped.add(dir);
          }
        } catch (IOException | RuntimeException e) {
          // left for a later trace
        }
      }
    } catch (IOException | RuntimeException e) {
      // nothing to reap here
    }
    return reaped;
  }

  /** prodguard's own directory, this user's, whose owner JVM no longer runs. */
  static boolean orphaned(Path dir, Object uid) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
        || !uid.equals(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
      return false;
    }
    Path owner = dir.resolve(OWNER);
    if (!Files.isRegularFile(owner, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    String[] f = Files.readString(owner, StandardCharsets.UTF_8).strip().split(" ");
    if (f.length != 2) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(f[0]);
    } catch (NumberFormatException e) {
      return false;
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return true;
    }
    // the pid runs: the owner only when its start time is not the recorded one (a reused pid)
    Optional<Instant> started = h.get().info().startInstant();
    return started.isPresent() && !f[1].equals("?") && !started.get().toString().equals(f[1]);
  }

  /**
   * Stops the server of {@code dir} if one runs: true when none runs any more (or none did). Stops
   * only a process whose command line names this directory's {@code data}.
   */
  static boolean stopServer(Path dir) throws IOException {
    Path pidFile = dir.resolve("data").resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile, LinkOption.NOFOLLOW_LINKS)) {
      return true;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return false; // not readable (another user's namespace): leave it
    }
    if (lines.isEmpty()) {
      return true;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).strip());
    } catch (NumberFormatException e) {
      return true; // a pid file being written by a server that never started
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return true;
    }
    String data = dir.resolve("data").toString();
    Optional<String> cmd = commandLine(pid);
    if (cmd.isEmpty() || !cmd.get().contains(" " + data)) {
      // the pid is not this directory's server (reused) or cannot be told: the server is gone
      // when the pid is someone else's; when the command cannot be read, leave the directory
      return cmd.isPresent();
    }
    h.get().destroy(); // SIGTERM: smart shutdown
    try {
      h.get().onExit().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      h.get().destroyForcibly();
      try {
        h.get().onExit().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e2) {
        return false;
      } catch (InterruptedException e2) {
        Thread.currentThread().interrupt();
        return false;
      }
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !h.get().isAlive();
  }

  /** A process's arguments joined by spaces ({@code /proc/PID/cmdline}); empty when unreadable. */
  private static Optional<String> commandLine(long pid) {
    try {
      byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return Optional.of(new String(b, StandardCharsets.UTF_8).replace('\0', ' '));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
