package dev.prodguard.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code prodguard demo} from the shaded jar: every step runs, the summary says what held, the exit
 * code follows the summary, and nothing is left behind (servers, directory), also with --keep.
 *
 * <p>Every row of the summary must pass, step 9 (G6, direct migration blocked inside the database)
 * included, and the demo must exit 0.
 */
@DisplayName("CLI end to end: prodguard demo")
class DemoCliIT {
  private static final Pattern ROOT = Pattern.compile("(/\\S*prodguard-demo-\\d+)");
  private static final Pattern DEV_URL =
      Pattern.compile("export DEV_DATABASE_URL=postgresql://postgres@127\\.0\\.0\\.1:(\\d+)/shop");

  /** A run of the demo whose output is read as it comes. */
  static final class DemoProcess {
    final Process process;
    final StringBuffer out = new StringBuffer();
    final StringBuffer err = new StringBuffer();
    final List<Thread> readers = new ArrayList<>();

    DemoProcess(String... args) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-jar");
      cmd.add(cliJar().toString());
      cmd.add("demo");
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      // this test may itself run in CI: the demo starts from a shell that is not
      pb.environment()
          .keySet()
          .removeIf(
              k ->
                  k.equals("CI")
                      || k.endsWith("_DATABASE_URL")
                      || k.startsWith("PRODGUARD_")
                      || k.startsWith("GITHUB_")
                      || k.startsWith("GITLAB_")
                      || k.startsWith("CI_")
                      || k.startsWith("ACTIONS_"));
      process = pb.start();
      process.getOutputStream().close();
      readers.add(pump(process.getInputStream(), out));
      readers.add(pump(process.getErrorStream(), err));
    }

    private static Thread pump(InputStream in, StringBuffer into) {
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    into.append(line).append('\n');
                  }
                } catch (IOException e) {
                  // the process ended
                }
              });
      t.start();
      return t;
    }

    int await() throws InterruptedException {
      assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("the demo finished").isTrue();
      for (Thread t : readers) {
        t.join();
      }
      return process.exitValue();
    }

    void awaitOutput(String text) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (!out.toString().contains(text)) {
        assertThat(process.isAlive()).as("demo still running; output so far:\n" + out).isTrue();
        assertThat(System.nanoTime()).as("waiting for: " + text).isLessThan(deadline);
        Thread.sleep(200);
      }
    }

    Path root() {
      Matcher m = ROOT.matcher(out);
      assertThat(m.find()).as("the demo names its directory:\n" + out).isTrue();
      return Path.of(m.group(1));
    }

    @Override
    public String toString() {
      return "--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  /** The summary rows: step, guarantee, expected, got, result. */
  private static List<String[]> summaryRows(String out) {
    int at = out.lastIndexOf("\nSummary\n");
    assertThat(at).as("a summary is printed").isPositive();
    List<String[]> rows = new ArrayList<>();
    String[] lines = out.substring(at + 1).split("\n");
    for (int i = 3; i < lines.length && !lines[i].isBlank(); i++) {
      rows.add(lines[i].split("\\s{2,}"));
    }
    return rows;
  }

  private static void assertNothingLeft(Path root) {
    assertThat(root).as("the demo's directory is deleted").doesNotExist();
    List<String> left =
        ProcessHandle.allProcesses()
            .map(p -> p.info().commandLine().orElse(""))
            .filter(c -> c.contains(root.toString()))
            .toList();
    assertThat(left).as("no server of the demo is left running").isEmpty();
  }

  @Test
  @DisplayName("demo: every step runs the real jar, every check of G1-G10 holds, exit 0")
  void demo() throws Exception {
    DemoProcess demo = new DemoProcess();
    int exit = demo.await();
    String out = demo.out.toString();

    // the story, with the commands a user would type
    assertThat(out)
        .as(demo.toString())
        .contains(
            "laptop$ prodguard init-fingerprint dev --write-config",
            "ci$ prodguard init-fingerprint prod --write-config",
            "prodguard deploy prod",
            "prodguard: refused [G1 CI-only mutation]",
            "prodguard: refused [G3 early URL refusal]",
            "prodguard: refused [G2 environment fingerprint]",
            "[delete-without-where]",
            "prodguard: refused [G4 frozen mutation contract]",
            "[direct-migration-call]",
            "laptop$ flyway -url=jdbc:postgresql://localhost:",
            "prodguard: refused [G8 one deploy at a time]",
            "audit trail of 'prod' is intact");
    for (int n = 1; n <= 10; n++) {
      assertThat(out).contains("== " + n + "/10  ");
    }

    List<String[]> rows = summaryRows(out);
    Set<String> guarantees = new TreeSet<>();
    List<String[]> g6 = new ArrayList<>();
    for (String[] row : rows) {
      assertThat(row).as(String.join(" | ", row)).hasSize(5);
      guarantees.add(row[1]);
      if (row[1].equals("G6")) {
        g6.add(row);
      }
      assertThat(row[4]).as("%s\n%s", String.join(" | ", row), demo).isEqualTo("ok");
    }
    assertThat(guarantees)
        .containsExactlyInAnyOrder("G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8", "G9", "G10");
    assertThat(rows.stream().map(r -> r[0]))
        .contains(
            "2 deploy prod from a laptop",
            "3 no connection to prod",
            "7 backup prod",
            "8 a second deploy meanwhile",
            "8 the refusal names it",
            "10 audit verify prod");
    // step 9: Flyway run by hand is refused inside the database (beforeEachMigrate.sql + assert)
    assertThat(g6.stream().map(r -> r[0]))
        .containsExactly("9 Flyway run by hand", "9 nothing applied");
    assertThat(out).contains("direct migration blocked on protected environment 'prod'");
    assertThat(exit).as(demo.toString()).isZero();
    assertThat(out).contains("Every guarantee behaved as promised");

    assertNothingLeft(demo.root());
  }

  @Test
  @DisplayName(
      "demo --keep: the servers stay up for exploration until stopped, then nothing is left")
  void keep() throws Exception {
    DemoProcess demo = new DemoProcess("--keep");
    try {
      demo.awaitOutput("# server logs: ");
      String out = demo.out.toString();
      Path root = demo.root();
      assertThat(root.resolve("shop/prodguard.yml")).exists();
      assertThat(Files.readString(root.resolve("shop/prodguard.yml")))
          .contains("fingerprint: dev-", "fingerprint: prod-");
      assertThat(out).contains("export CI=true PROD_DATABASE_URL=", "prodguard promote prod");
      Matcher m = DEV_URL.matcher(out);
      assertThat(m.find()).as(out).isTrue();
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:postgresql://127.0.0.1:" + m.group(1) + "/shop?user=postgres");
          ResultSet rs =
              c.createStatement().executeQuery("SELECT environment FROM database_metadata")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("dev");
      }
      assertThat(demo.process.isAlive()).as("--keep stays alive").isTrue();

      // SIGTERM, the same shutdown path as Ctrl-C (Process.destroy() would close our end of stderr)
      assertThat(demo.process.toHandle().destroy()).isTrue();
      int exit = demo.await();
      assertThat(demo.err.toString())
          .as("exit %d\n%s", exit, demo)
          .contains("prodguard demo: stopped");
      assertNothingLeft(root);
    } finally {
      if (demo.process.isAlive()) { // a failed assertion: still let the demo clean up
        demo.process.toHandle().destroy();
        if (!demo.process.waitFor(60, TimeUnit.SECONDS)) {
          demo.process.destroyForcibly();
        }
      }
    }
  }

  /** The CLI's shaded jar ('prodguard demo' is run through it, as the README says). */
  static Path cliJar() {
    String jar = System.getProperty("prodguard.jar");
    if (jar == null) {
      throw new AssertionError(
          "system property prodguard.jar is not set: run through failsafe (mvn verify)");
    }
    return Path.of(jar).toAbsolutePath();
  }
}
