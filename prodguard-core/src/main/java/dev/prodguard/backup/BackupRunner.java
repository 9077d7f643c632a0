package dev.prodguard.backup;

import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.Hashes;
import dev.prodguard.db.Progress;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import dev.prodguard.jdbc.FingerprintCheck;
import dev.prodguard.support.DumpContents;
import dev.prodguard.support.DumpTool;
import dev.prodguard.support.RestoreCheckList;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * G9: dumps the target with the server's own tool, streaming to disk and hashing the bytes as they
 * are written (no second read), then checks the dump and optionally restores it into a scratch
 * database and compares row counts.
 */
public final class BackupRunner {
  private static final long TOOL_TIMEOUT_SECONDS = 600;

  private final Target target;
  private final RunContext context;
  private final Progress progress;
  private final Optional<Path> binDir;

  /** What was written. */
  public record Result(
      Path file,
      long size,
      String sha256,
      Duration duration,
      int tables,
      Optional<Map<String, Long>> restoreCheckedCounts,
      List<String> restoreCheckLeftOut) {}

  /** The dump tool while it runs, for {@link #cancel}. */
  private volatile Process running;

  private volatile boolean cancelled;

  public BackupRunner(Target target, RunContext context, Progress progress) {
    this.target = target;
    this.context = context;
    this.progress = progress;
    String dir = context.get("PRODGUARD_DUMP_BINDIR");
    this.binDir = dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
  }

  /**
   * Stops the dump this runner writes on another thread (the dump tool is killed): that {@link
   * #run} then fails as a dump that failed does, its partial file deleted. For a dump nobody will
   * use (promote's early backup when verify refused).
   */
  public void cancel() {
    cancelled = true;
    Process p = running;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  /**
   * {@code r}, its file renamed in its directory from {@code fromBase}+extension to {@code
   * toBase}+extension (promote's early dump, taken over by the run it is for); deleted when the
   * move fails, which refuses as a dump that cannot be written (G9).
   */
  public Result renamed(Result r, String fromBase, String toBase) {
    String name = r.file().getFileName().toString();
    if (!name.startsWith(fromBase)) {
      throw new IllegalArgumentException(name + " is not named " + fromBase);
    }
    Path to = r.file().resolveSibling(toBase + name.substring(fromBase.length()));
    try {
      move(r.file(), to);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(r.file());
      } catch (IOException ignored) {
        // recorded nowhere and never used
      }
      throw BackupWriteFailure.refusal(target.name(), "move the finished dump to", to, e);
    }
    return new Result(
        to,
        r.size(),
        r.sha256(),
        r.duration(),
        r.tables(),
        r.restoreCheckedCounts(),
        r.restoreCheckLeftOut());
  }

  /**
   * Dumps into {@code directory}/{@code baseName}+extension.
   *
   * @param control a fingerprint-checked connection to the target
   */
  public Result run(Connection control, Path directory, String baseName, boolean restoreCheck)
      throws SQLException, IOException, InterruptedException {
    return run(control, directory, baseName, List.of(), restoreCheck);
  }

  /**
   * Dumps only {@code tables} (sync's backup) with every check of a full backup: the client's
   * version, every host of the URL, the SHA-256 of the bytes written and the dump's completeness.
   * No restore check: it compares every table of the database.
   *
   * @param control a fingerprint-checked connection to the target
   */
  public Result runTables(Connection control, Path directory, String baseName, List<String> tables)
      throws SQLException, IOException, InterruptedException {
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("no tables to back up");
    }
    return run(control, directory, baseName, tables, false);
  }

  private Result run(
      Connection control,
      Path directory,
      String baseName,
      List<String> tables,
      boolean restoreCheck)
      throws SQLException, IOException, InterruptedException {
    DumpTool tool = target.dialect().dumpTool();
    checkClient(control, tool);
    Path file = directory.resolve(baseName + tool.extension());
    Path partial = directory.resolve(baseName + tool.extension() + ".partial");
    try {
      createPrivateDirectory(directory);
      Files.deleteIfExists(partial);
    } catch (IOException e) {
      throw BackupWriteFailure.refusal(
          target.name(), "create or write the backup directory", directory, e);
    }

    Instant start = context.clock().instant();
    // G9: a full dump must be shown to hold this database; sync's table dumps hold no metadata
    Optional<BackupIdentity> identity =
        tables.isEmpty() ? Optional.of(BackupIdentity.expected(control, target)) : Optional.empty();
    DumpContents.Reader contents = tool.contentsReader();
    Connection snapshotConnection = restoreCheck ? target.connect() : null;
    try {
      Optional<String> snapshot =
          snapshotConnection == null ? Optional.empty() : tool.openSnapshot(snapshotConnection);
      Dumped dumped = dump(tool, partial, snapshot, tables, contents);
      Map<String, Long> sourceCounts = null;
      if (snapshotConnection != null) {
        sourceCounts = counts(snapshotConnection, tool);
        snapshotConnection.rollback();
      }
      Map<List<String>, String> listed = checkDump(tool, partial);
      if (identity.isPresent()) {
        identity
            .get()
            .require(
                target,
                tool,
                contents,
                binDir,
                partial,
                tool.versionCommand(binDir).get(0),
                listed);
      }
      try {
        move(partial, file);
      } catch (IOException e) {
        throw BackupWriteFailure.refusal(target.name(), "move the finished dump to", file, e);
      }
      Optional<Map<String, Long>> checked = Optional.empty();
      List<String> leftOut = new java.util.ArrayList<>();
      if (restoreCheck) {
        checked = Optional.of(restoreCheck(control, tool, file, sourceCounts, leftOut));
      }
      Duration took = Duration.between(start, context.clock().instant());
      return new Result(
          file, dumped.size, dumped.sha256, took, dumped.tables, checked, List.copyOf(leftOut));
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException e) {
        // the refusal or failure being reported says more; a leftover .partial is never used
      }
      if (snapshotConnection != null) {
        snapshotConnection.close();
      }
      progress.done();
    }
  }

  private record Dumped(long size, String sha256, int tables) {}

  private Dumped dump(
      DumpTool tool,
      Path partial,
      Optional<String> snapshot,
      List<String> only,
      DumpContents.Reader contents)
      throws IOException, InterruptedException {
    DatabaseUrl url = target.url();
    List<String> cmd = tool.dumpCommand(binDir, url, snapshot, only);
    ProcessBuilder pb =
        ToolProcess.builder(cmd, tool.processEnvironment(url), tool.clearedVariablePrefixes());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new GuardRefusal(
          Guarantee.G9,
          "back up '" + target.name() + "'",
          "cannot run " + cmd.get(0) + ": " + e.getMessage(),
          fix(tool),
          e);
    }
    running = p;
    if (cancelled) {
      p.destroyForcibly();
    }
    p.getOutputStream().close();
    AtomicInteger tables = new AtomicInteger();
    long[] written = {0};
    ToolProcess.StderrTail err =
        new ToolProcess.StderrTail(
            p.getErrorStream(),
            line ->
                tool.tableStarted(line)
                    .ifPresent(t -> progress.dumping(t, tables.incrementAndGet(), written[0])));
    err.start();
    MessageDigest md = Hashes.sha256();
    long size = 0;
    try (InputStream in = p.getInputStream();
        FileChannel out =
            FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      restrict(partial);
      byte[] buf = new byte[1 << 20];
      ByteBuffer bb = ByteBuffer.wrap(buf);
      int n;
      long lastReport = 0;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
        contents.accept(buf, 0, n);
        bb.clear().limit(n);
        while (bb.hasRemaining()) {
          out.write(bb);
        }
        size += n;
        written[0] = size;
        if (size - lastReport >= 64L << 20) {
          lastReport = size;
          progress.written(size);
        }
      }
      out.force(true);
    } catch (IOException e) {
      p.destroyForcibly();
      throw BackupWriteFailure.refusal(target.name(), "write the dump to", partial, e);
    }
    int exit = p.waitFor();
    err.join();
    if (exit != 0) {
      throw new GuardRefusal(
          Guarantee.G9,
          "back up '" + target.name() + "'",
          cmd.get(0)
              + " failed with exit code "
              + exit
              + ":\n"
              + err.errors(l -> tool.tableStarted(l).isPresent()),
          "fix the cause above and run the backup again; nothing was recorded");
    }
    return new Dumped(size, HexFormat.of().formatHex(md.digest()), tables.get());
  }

  /**
   * What {@code --version} printed, per tool binary (its path, size and modification time) in this
   * process: a fleet backs up hundreds of databases with the same pg_dump, and each backup still
   * compares that version with its own server's.
   */
  private static final Map<String, ToolProcess.Result> VERSIONS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static Optional<String> binaryKey(List<String> cmd) {
    try {
      Path bin = Path.of(cmd.get(0));
      if (!bin.isAbsolute() || !Files.isRegularFile(bin)) {
        return Optional.empty();
      }
      Path real = bin.toRealPath();
      return Optional.of(
          String.join("\u0000", cmd)
              + "\u0000"
              + real
              + "\u0000"
              + Files.size(real)
              + "\u0000"
              + Files.getLastModifiedTime(real).toMillis());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private void checkClient(Connection control, DumpTool tool)
      throws SQLException, InterruptedException {
    List<String> cmd = tool.versionCommand(binDir);
    ToolProcess.Result version;
    Optional<String> key = binaryKey(cmd);
    try {
      ToolProcess.Result known = key.map(VERSIONS::get).orElse(null);
      version =
          known != null
              ? known
              : ToolProcess.run(
                  cmd,
                  tool.processEnvironment(target.url()),
                  tool.clearedVariablePrefixes(),
                  Optional.empty(),
                  60);
      if (known == null && version.exit() == 0 && key.isPresent()) {
        VERSIONS.put(key.get(), version);
      }
    } catch (IOException e) {
      throw new GuardRefusal(
          Guarantee.G9,
          "back up '" + target.name() + "'",
          "cannot run " + cmd.get(0) + ": " + e.getMessage(),
          tool.clientFix(control),
          e);
    }
    Optional<String> problem = tool.versionProblem(version.stdout(), control);
    if (version.exit() != 0 || problem.isPresent()) {
      throw new GuardRefusal(
          Guarantee.G9,
          "back up '" + target.name() + "'",
          problem.orElse(cmd.get(0) + " --version failed: " + version.stderrTail()),
          tool.clientFix(control));
    }
  }

  private String fix(DumpTool tool) {
    try (Connection c = target.connect()) {
      return tool.clientFix(c);
    } catch (SQLException e) {
      return "install the database's client tools (pg_dump / mariadb-dump) on PATH";
    }
  }

  /**
   * The table of contents must be readable, or the completion marker present. Returns the output of
   * the tool's table-of-contents command, by command, for the checks that read it again.
   */
  private Map<List<String>, String> checkDump(DumpTool tool, Path file)
      throws IOException, InterruptedException {
    String what = "back up '" + target.name() + "'";
    List<String> list = tool.listCommand(binDir, file);
    Map<List<String>, String> listed = new java.util.HashMap<>();
    if (!list.isEmpty()) {
      ToolProcess.Result r =
          ToolProcess.run(list, Map.of(), tool.clearedVariablePrefixes(), Optional.empty(), 600);
      if (r.exit() != 0 || r.stdout().isBlank()) {
        throw new GuardRefusal(
            Guarantee.G9,
            what,
            "the dump's table of contents is unreadable ("
                + String.join(" ", list)
                + " exited "
                + r.exit()
                + "): "
                + r.stderrTail(),
            "run the backup again; check free disk space in the backup directory");
      }
      listed.put(list, r.stdout());
    }
    Optional<String> marker = tool.completionMarker();
    if (marker.isPresent()) {
      String tail = tail(file, 4096);
      if (!tail.contains(marker.get())) {
        throw new GuardRefusal(
            Guarantee.G9,
            what,
            "the dump does not end with its completion marker '"
                + marker.get()
                + "': it is truncated",
            "run the backup again; check free disk space in the backup directory");
      }
    }
    return listed;
  }

  private static String tail(Path file, int bytes) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long len = raf.length();
      int n = (int) Math.min(len, bytes);
      byte[] buf = new byte[n];
      raf.seek(len - n);
      raf.readFully(buf);
      return new String(buf, StandardCharsets.UTF_8);
    }
  }

  /** Restores into a scratch database on the same server, compares counts, drops it. */
  /**
   * @param leftOut receives what the check did not restore because the checking role cannot create
   *     it (from {@link DumpTool#restoreCheckList})
   */
  private Map<String, Long> restoreCheck(
      Connection control,
      DumpTool tool,
      Path file,
      Map<String, Long> sourceCounts,
      List<String> leftOut)
      throws SQLException, IOException, InterruptedException {
    String what = "restore-check the backup of '" + target.name() + "'";
    byte[] r = new byte[6];
    new java.security.SecureRandom().nextBytes(r);
    String scratch = "prodguard_rc_" + HexFormat.of().formatHex(r);
    DatabaseUrl scratchUrl = target.url().withDatabase(scratch);
    // a backup killed during its check left its copy behind: drop those whose process is gone
    for (RestoreCheckScratch.Leftover l :
        RestoreCheckScratch.leftovers(control, target.dialect(), true)) {
      progress.step("restore-check leftover " + l.line());
    }
    progress.step("restoring into scratch database " + scratch);
    try (Statement st = control.createStatement()) {
      st.execute(tool.createDatabase(scratch));
    }
    Optional<Path> list = Optional.empty();
    try {
      RestoreCheckScratch.markOwned(control, target.dialect(), scratch);
      List<String> toc = tool.listCommand(binDir, file);
      if (!toc.isEmpty()) {
        ToolProcess.Result listed =
            ToolProcess.run(toc, Map.of(), tool.clearedVariablePrefixes(), Optional.empty(), 600);
        if (listed.exit() == 0) {
          RestoreCheckList selected = tool.restoreCheckList(listed.stdout(), control);
          leftOut.addAll(selected.leftOut());
          // tables of what is left out are not restored, so not compared
          sourceCounts.keySet().removeAll(selected.tablesLeftOut());
          if (selected.list().isPresent()) {
            Path p = file.resolveSibling(file.getFileName() + ".restore-list");
            Files.writeString(p, selected.list().get(), StandardCharsets.UTF_8);
            list = Optional.of(p);
          }
        }
      }
      List<String> cmd = tool.restoreCommand(binDir, scratchUrl, file, list);
      ToolProcess.Result res =
          ToolProcess.run(
              cmd,
              tool.processEnvironment(scratchUrl),
              tool.clearedVariablePrefixes(),
              tool.restoreReadsStdin() ? Optional.of(file) : Optional.empty(),
              TOOL_TIMEOUT_SECONDS * 6);
      if (res.exit() != 0) {
        throw new GuardRefusal(
            Guarantee.G9,
            what,
            "the backup "
                + file
                + " does not restore: "
                + res.stderrTail()
                + (leftOut.isEmpty()
                    ? ""
                    : "\n(left out of the check, as the checking role cannot create them: "
                        + String.join("; ", leftOut)
                        + ")"),
            "investigate the dump tool's error above; the backup was not recorded");
      }
      Map<String, Long> restored;
      try (Connection sc =
          target
              .dialect()
              .driver()
              .connect(scratchUrl.jdbcUrl(), scratchUrl.connectionProperties())) {
        restored = counts(sc, tool);
        FingerprintCheck.Found found = FingerprintCheck.read(sc, target.dialect());
        String expected = target.environment().fingerprint().orElse("");
        if (found.missingTable || !expected.equals(found.fingerprint)) {
          throw new GuardRefusal(
              Guarantee.G9,
              what,
              "the restored copy does not carry the fingerprint of '"
                  + target.name()
                  + "' (found "
                  + (found.missingTable ? "no database_metadata" : found.fingerprint)
                  + "): the dump is not of this database",
              "check the URL and the dump tool's connection settings");
        }
      }
      if (!restored.equals(sourceCounts)) {
        throw new GuardRefusal(
            Guarantee.G9,
            what,
            "row counts of the restored copy differ from the database: "
                + differences(sourceCounts, restored),
            "run the backup again; on MySQL/MariaDB counts come from a snapshot taken just"
                + " before the dump, so heavy concurrent writes can differ: back up in a quieter"
                + " moment");
      }
      return restored;
    } finally {
      if (list.isPresent()) {
        Files.deleteIfExists(list.get());
      }
      try (Statement st = control.createStatement()) {
        st.execute(tool.dropDatabase(scratch));
      }
    }
  }

  private static String differences(Map<String, Long> a, Map<String, Long> b) {
    StringBuilder sb = new StringBuilder();
    java.util.Set<String> all = new java.util.TreeSet<>(a.keySet());
    all.addAll(b.keySet());
    for (String t : all) {
      Long x = a.get(t);
      Long y = b.get(t);
      if (!java.util.Objects.equals(x, y)) {
        sb.append("\n").append(t).append(": ").append(x).append(" -> ").append(y);
      }
    }
    return sb.toString();
  }

  private static Map<String, Long> counts(Connection c, DumpTool tool) throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String table : tool.userTables(c)) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
        rs.next();
        out.put(table, rs.getLong(1));
      }
    }
    return out;
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    dev.prodguard.config.PrivateDirectory.ensure(dir);
  }

  /** Backups hold production data: owner-only where the file system has permissions. */
  private static void restrict(Path file) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
