package dev.prodguard.sync;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.Target;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link SyncBackup} through the server's own dump tool as a subprocess: {@code pg_dump -Fc -t T}
 * or {@code mariadb-dump --single-transaction DB T} into a file, then hashed. Credentials travel in
 * the tool's environment, never on its command line; inherited PG and MYSQL variables are cleared
 * so nothing redirects the tool. Kept to this one class so the backup module can replace it.
 */
public final class DumpSyncBackup implements SyncBackup {
  /** Optional folder holding pg_dump / mariadb-dump, when they are not first on PATH. */
  public static final String BINDIR_VARIABLE = "PRODGUARD_DUMP_BINDIR";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final RunContext context;

  public DumpSyncBackup(RunContext context) {
    this.context = context;
  }

  @Override
  public Result backup(Target target, List<String> tables, Path directory) throws IOException {
    Files.createDirectories(directory);
    DatabaseUrl url = target.url();
    boolean pg = url.kind() == DatabaseKind.POSTGRESQL;
    Path file =
        directory.resolve(
            target.name()
                + "-sync-"
                + STAMP.format(context.clock().instant())
                + (pg ? ".dump" : ".sql"));
    List<String> cmd = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>();
    String password = url.connectionProperties().getProperty("password");
    if (pg) {
      cmd.addAll(List.of(bin("pg_dump"), "--format=custom", "--no-password", "--strict-names"));
      for (String t : tables) {
        cmd.add("--table=" + PostgresSync.INSTANCE.quote(t));
      }
      env.put("PGHOST", url.hosts().get(0).host());
      env.put("PGPORT", Integer.toString(url.hosts().get(0).port()));
      env.put("PGDATABASE", url.database());
      url.user().ifPresent(u -> env.put("PGUSER", u));
      if (password != null) {
        env.put("PGPASSWORD", password);
      }
      String sslmode = url.params().get("sslmode");
      if (sslmode != null) {
        env.put("PGSSLMODE", sslmode);
      }
      env.put("PGCONNECT_TIMEOUT", "10");
    } else {
      cmd.addAll(
          List.of(
              bin("mariadb-dump"),
              "--single-transaction",
              "--skip-lock-tables",
              "--protocol=TCP",
              "--host=" + url.hosts().get(0).host(),
              "--port=" + url.hosts().get(0).port()));
      url.user().ifPresent(u -> cmd.add("--user=" + u));
      String ssl = url.params().getOrDefault("sslMode", "");
      cmd.add(ssl.equalsIgnoreCase("disable") || ssl.isEmpty() ? "--skip-ssl" : "--ssl");
      cmd.add("--");
      cmd.add(url.database());
      for (String t : tables) {
        int dot = t.indexOf('.');
        if (dot >= 0 && !t.substring(0, dot).equals(url.database())) {
          throw new IOException(
              "the sync backup dumps tables of the URL's database only, not " + t);
        }
        cmd.add(dot < 0 ? t : t.substring(dot + 1));
      }
      if (password != null) {
        env.put("MYSQL_PWD", password);
      }
    }
    run(cmd, env, file);
    MessageDigest md = sha256();
    long bytes;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      long n = 0;
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
        n += r;
      }
      bytes = n;
    }
    checkComplete(file, pg);
    return new Result(file, HexFormat.of().formatHex(md.digest()), bytes);
  }

  private String bin(String tool) {
    String dir = context.get(BINDIR_VARIABLE);
    return dir == null || dir.isBlank() ? tool : Path.of(dir, tool).toString();
  }

  private static void run(List<String> cmd, Map<String, String> env, Path file) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("MYSQL"));
    pb.environment().putAll(env);
    pb.redirectOutput(file.toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException(
          cmd.get(0)
              + " could not be started ("
              + e.getMessage()
              + "); install the server's client tools or set "
              + BINDIR_VARIABLE,
          e);
    }
    p.getOutputStream().close();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (InputStream in = p.getErrorStream()) {
      in.transferTo(new BoundedOutput(err, 8192));
    }
    try {
      if (!p.waitFor(1, TimeUnit.HOURS)) {
        p.destroyForcibly();
        throw new IOException(cmd.get(0) + " did not finish within an hour");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + cmd.get(0) + " ran", e);
    }
    if (p.exitValue() != 0) {
      Files.deleteIfExists(file);
      throw new IOException(
          cmd.get(0)
              + " exited with "
              + p.exitValue()
              + ": "
              + err.toString(StandardCharsets.UTF_8).strip());
    }
  }

  private static void checkComplete(Path file, boolean pg) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      if (pg) {
        byte[] magic = new byte[5];
        if (len < 5) {
          throw new IOException("pg_dump wrote no archive");
        }
        f.readFully(magic);
        if (!"PGDMP".equals(new String(magic, StandardCharsets.US_ASCII))) {
          throw new IOException("pg_dump's output is not a custom-format archive");
        }
      } else {
        byte[] tail = new byte[(int) Math.min(len, 256)];
        f.seek(len - tail.length);
        f.readFully(tail);
        if (!new String(tail, StandardCharsets.UTF_8).contains("-- Dump completed")) {
          throw new IOException("mariadb-dump's output lacks its '-- Dump completed' mark");
        }
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Keeps the first {@code limit} bytes of the tool's messages. */
  private static final class BoundedOutput extends OutputStream {
    private final ByteArrayOutputStream out;
    private final int limit;

    BoundedOutput(ByteArrayOutputStream out, int limit) {
      this.out = out;
      this.limit = limit;
    }

    @Override
    public void write(int b) {
      if (out.size() < limit) {
        out.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      int n = Math.min(len, limit - out.size());
      if (n > 0) {
        out.write(b, off, n);
      }
    }
  }
}
