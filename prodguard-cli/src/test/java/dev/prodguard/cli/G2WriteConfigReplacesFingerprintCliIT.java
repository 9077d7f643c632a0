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
 * New user NU27/10: {@code init-fingerprint ENV --write-config} on a database without metadata (a
 * new database behind the URL) replaced the fingerprint prodguard.yml held for ENV without a word.
 * DESIGN.md: init-fingerprint "never silently overwrites a different fingerprint" (G2); a database
 * that already has another fingerprint is refused (unchanged). It still writes the new database's
 * fingerprint (the command's purpose) and says which one it replaced, old and new, in text and
 * JSON, for the review of the commit.
 */
@DisplayName("G2: init-fingerprint --write-config names the fingerprint it replaces")
class G2WriteConfigReplacesFingerprintCliIT {
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

  @Test
  @DisplayName(
      "G2: a new database behind a URL whose old fingerprint prodguard.yml holds: the new"
          + " fingerprint is written with old -> new said")
  void replacedFingerprintIsNamed() throws Exception {
    String old = "dev-0123456789abcdef0123456789abcdef";
    for (String format : new String[] {"text", "json"}) {
      try (TestDatabase db = TestDatabase.create(DatabaseKind.POSTGRESQL)) {
        Path yml = dir.resolve("prodguard.yml");
        Files.writeString(
            yml,
            "environments:\n  dev:\n    url: \""
                + db.libpqUrl()
                + "\"\n    fingerprint: "
                + old
                + "\nstate-directory: state\n");
        Files.createDirectories(dir.resolve("db/migration"));

        String out = run("init-fingerprint", "dev", "--write-config", "--format", format);

        String written =
            Files.readString(yml).replaceAll("(?s).*fingerprint: *\"?([\\w-]+)\"?.*", "$1");
        assertThat(written).startsWith("dev-").isNotEqualTo(old);
        if (format.equals("text")) {
          assertThat(out).contains("replaced the fingerprint of 'dev'", old + " -> " + written);
        } else {
          assertThat(out).contains("\"config_replaced\"", old);
        }
      }
    }
  }
}
