package dev.prodguard.environment;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.io.File;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Logical copies with the servers' own tools: what a restore of prod elsewhere looks like. */
final class Dumps {
  private Dumps() {}

  static void copy(TestDatabase from, TestDatabase to) throws Exception {
    File dump = File.createTempFile("prodguard-copy", ".sql");
    try {
      if (from.kind() == DatabaseKind.POSTGRESQL) {
        run(
            List.of(
                "pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-f", dump.getPath(), from.name()));
        run(
            List.of(
                "psql",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                to.name(),
                "-f",
                dump.getPath()));
      } else {
        run(
            List.of(
                "mariadb-dump",
                "-h",
                "127.0.0.1",
                "-u",
                "root",
                "--skip-ssl",
                "--result-file=" + dump.getPath(),
                from.name()));
        run(
            List.of(
                "sh",
                "-c",
                "mariadb -h 127.0.0.1 -u root --skip-ssl " + to.name() + " < " + dump.getPath()));
      }
    } finally {
      dump.delete();
    }
  }

  private static void run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
