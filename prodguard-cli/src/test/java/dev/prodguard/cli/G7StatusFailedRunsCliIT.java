package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * New user NU27/08: {@code status} printed each failed run's whole failure text (Flyway's error
 * block, the clean-up, the way forward) under "last deploys", a screen per run. It prints one line
 * per failed run and says once where the full texts are ({@code --format json}), which still holds
 * them (G7: the failure is kept with the run).
 */
@DisplayName("G7: status shows one line per failed run and where its full failure text is")
class G7StatusFailedRunsCliIT {
  @TempDir Path dir;

  private String run(int expected, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "-c";
    all[args.length + 1] = dir.resolve("prodguard.yml").toString();
    int exit = cl.execute(all);
    if (expected >= 0) {
      assertThat(exit).as(out + "\n" + err).isEqualTo(expected);
    }
    return out.toString();
  }

  @Test
  @DisplayName("G7: two failed deploys: two one-line failures and one pointer to the full text")
  void oneLinePerFailedRun() throws Exception {
    try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
      Files.writeString(
          dir.resolve("prodguard.yml"),
          "environments:\n  dev:\n    url: \"" + db.libpqUrl() + "\"\nstate-directory: state\n");
      Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(dir.resolve("db/migration/V1__a.sql"), "CREATE TABLE a (id INT);\n");
      run(0, "init-fingerprint", "dev", "--write-config");
      run(0, "deploy", "dev");
      Files.writeString(
          dir.resolve("db/migration/V2__b.sql"), "INSERT INTO missing_table VALUES (1);\n");
      run(-1, "deploy", "dev");
      run(-1, "deploy", "dev");

      String status = run(-1, "status", "dev");
      String deploys = status.substring(status.indexOf("last deploys:"));
      assertThat(deploys).doesNotContain("SQL State", "The run is now 'failed'");
      assertThat(deploys.lines().filter(l -> l.contains("missing_table")).count())
          .as(deploys)
          .isEqualTo(2);
      assertThat(deploys.lines().filter(l -> l.contains("full text")).count()).isEqualTo(1);
      assertThat(deploys).contains("prodguard status dev --format json");
      assertThat(deploys.lines().allMatch(l -> l.length() <= 200)).as(deploys).isTrue();
      assertThat(run(-1, "status", "dev", "--format", "json"))
          .contains("SQL State", "The run is now 'failed'");
    }
  }
}
