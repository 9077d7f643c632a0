package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * newuser17 #8: on a development database with a deployed history, {@code status} said
 * "flyway_schema_history not installed (not protected)", which reads as "no history"; the table is
 * there, what is not installed is prodguard's guard on it (G6).
 */
@DisplayName("G6: status says the history table is there and that its guard is what is missing")
class G6StatusHistoryGuardCliIT {
  @TempDir Path dir;

  private String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "-c";
    all[args.length + 1] = dir.resolve("prodguard.yml").toString();
    int exit = cl.execute(all);
    assertThat(exit).as(out + "\n" + err).isZero();
    return out.toString();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G6: a deployed development database: history present, guard not installed")
  void historyPresentGuardNotInstalled(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      String url = db.libpqUrl(); // mariadb://root@host/db?sslMode=disable on MariaDB
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n  dev:\n    url: \"" + url + "\"\nstate-directory: state\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(dir.resolve("db/migration/V1__a.sql"), "CREATE TABLE a (id INT);\n");
      run("init-fingerprint", "dev", "--write-config");
      run("deploy", "dev");
      String status = run("status", "dev");
      assertThat(status)
          .contains(
              "history:   flyway_schema_history present, guard not installed (not protected)");
    }
  }
}
