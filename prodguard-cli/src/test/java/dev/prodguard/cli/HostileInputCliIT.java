package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.testing.ConnectionRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar against hostile inputs: configuration files that are too deep, too large or not
 * files at all end with exit 2 and one screen naming the file, and database URLs whose passwords
 * hold URL-special characters never print the password. The timeouts only prove each run finishes.
 */
@DisplayName("CLI end to end: hostile configuration files and URL passwords")
class HostileInputCliIT {
  @TempDir Path dir;

  private static final String ENVS =
      "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n"
          + "    fingerprint: dev-00112233445566778899aabbccddeeff\n";

  private static void oneScreenConfigError(Cli.Result r, String file) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.all()).contains("configuration error in ").contains(file);
    assertThat(r.all().lines().count()).as(r.toString()).isLessThanOrEqualTo(10);
    assertThat(r.all())
        .doesNotContain("Exception")
        .doesNotContain("Error:")
        .doesNotContain("\tat ")
        .doesNotContain("StackOverflow")
        .doesNotContain("OutOfMemory");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("a 10,000-deep flow sequence or mapping in prodguard.yml: exit 2, one screen")
  void deepConfig() throws Exception {
    Files.writeString(
        dir.resolve("prodguard.yml"), ENVS + "guards: " + "[".repeat(10_000) + "]".repeat(10_000));
    Cli.Result seq = Cli.run(dir, Map.of(), "check");
    oneScreenConfigError(seq, "prodguard.yml:5");
    assertThat(seq.all()).contains("nested more than 64 levels");

    Files.writeString(
        dir.resolve("prodguard.yml"),
        ENVS + "guards: " + "{a: ".repeat(10_000) + "1" + "}".repeat(10_000));
    oneScreenConfigError(Cli.run(dir, Map.of(), "check"), "prodguard.yml:5");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("a 10,000-deep contract: exit 2 naming the contract")
  void deepContract() throws Exception {
    Files.writeString(dir.resolve("prodguard.yml"), ENVS + "contract: c.yml\n");
    Files.writeString(dir.resolve("c.yml"), "version: 1\nforbidden: " + "[".repeat(10_000));
    Files.createDirectories(dir.resolve("db/migration"));
    Cli.Result r = Cli.run(dir, Map.of(), "lint");
    oneScreenConfigError(r, "c.yml:2");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("contract: /dev/zero and a FIFO contract: exit 2 at once, naming the file")
  void devZeroAndFifo() throws Exception {
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(dir.resolve("prodguard.yml"), ENVS + "contract: /dev/zero\n");
    Cli.Result zero = Cli.run(dir, Map.of(), "lint");
    oneScreenConfigError(zero, "/dev/zero");
    assertThat(zero.all()).contains("not a regular file");

    Path fifo = dir.resolve("fifo.yml");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Files.writeString(dir.resolve("prodguard.yml"), ENVS + "contract: fifo.yml\n");
    oneScreenConfigError(Cli.run(dir, Map.of(), "lint"), "fifo.yml");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @DisplayName("a 50 MB prodguard.yml of one scalar: exit 2 at once (size limit)")
  void hugeConfig() throws Exception {
    Files.writeString(dir.resolve("prodguard.yml"), ENVS + "x: " + "a".repeat(50 << 20));
    Cli.Result r = Cli.run(dir, Map.of(), "check");
    oneScreenConfigError(r, "prodguard.yml");
    assertThat(r.all()).contains("larger than 1 MiB");
  }

  static final List<String> FORMS =
      List.of(
          "jdbc:postgresql://",
          "postgresql://",
          "postgres://",
          "jdbc:mariadb://",
          "jdbc:mysql://",
          "mysql://",
          "mariadb://");

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  @DisplayName(
      "passwords of URL-special characters in 7 URL forms, in the user part and as ?password=,"
          + " as written and with a bad port: no 3-character fragment is ever printed")
  void urlPasswordsNeverPrinted() throws Exception {
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(dir.resolve("prodguard.yml"), ENVS);
    String all = "Ab0?Cd1/Ef2@Gh3#Jk4%Lm5:Np6&Qr7=St8+Uv9[Wx0]Yz1,aB2;cD3 eF4'gH5\"jK6\\";
    List<String> passwords = List.of("TopSecret?9", all);
    List<String> leaks = new ArrayList<>();
    int runs = 0;
    try (ConnectionRecorder server = new ConnectionRecorder()) {
      for (String form : FORMS) {
        for (String pw : passwords) {
          for (String place :
              List.of(
                  "app:{PW}@127.0.0.1:{PORT}/shop",
                  "127.0.0.1:{PORT},localhost:{PORT}/shop?user=app&password={PW}")) {
            for (String port : List.of(Integer.toString(server.port()), "99999")) {
              String url = form + place.replace("{PW}", pw).replace("{PORT}", port);
              Cli.Result r = Cli.run(dir, Map.of("DEV_DATABASE_URL", url), "check");
              runs++;
              assertThat(r.exit()).as(r.toString()).isIn(2, 3);
              for (int i = 0; i + 3 <= pw.length(); i++) {
                if (r.all().contains(pw.substring(i, i + 3))) {
                  leaks.add(url + " -> '" + pw.substring(i, i + 3) + "' in\n" + r);
                  break;
                }
              }
            }
          }
        }
      }
    }
    assertThat(runs).isEqualTo(7 * 2 * 2 * 2);
    assertThat(leaks).isEmpty();
  }
}
