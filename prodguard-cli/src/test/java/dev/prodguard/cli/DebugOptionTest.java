package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --debug} is accepted before the subcommand too. Before the fix {@code prodguard --debug
 * promote prod} was a usage error (exit 2, "Unknown option"), so a user asked to "run again with
 * --debug" who put it first got no stack trace.
 */
@DisplayName("CLI: --debug before or after the subcommand means the same")
class DebugOptionTest {
  @TempDir Path dir;

  private CommonOptions run(String... args) throws Exception {
    Files.writeString(
        dir.resolve("prodguard.yml"), "environments:\n  dev:\n    url: postgresql://127.0.0.1/x\n");
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(dir.resolve("db/migration/V1__a.sql"), "CREATE TABLE a (id int);\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(new PrintWriter(out), new PrintWriter(err));
    int exit = cl.execute(args);
    assertThat(exit).as(out + "\n" + err).isZero();
    return (CommonOptions)
        cl.getSubcommands().get("lint").getCommandSpec().mixins().get("common").userObject();
  }

  @Test
  void before() throws Exception {
    Path cfg = dir.resolve("prodguard.yml");
    Path mig = dir.resolve("db/migration");
    assertThat(run("--debug", "lint", "-c", cfg.toString(), mig.toString()).debug).isTrue();
  }

  @Test
  void after() throws Exception {
    Path cfg = dir.resolve("prodguard.yml");
    Path mig = dir.resolve("db/migration");
    assertThat(run("lint", "--debug", "-c", cfg.toString(), mig.toString()).debug).isTrue();
  }

  @Test
  void absent() throws Exception {
    Path cfg = dir.resolve("prodguard.yml");
    Path mig = dir.resolve("db/migration");
    assertThat(run("lint", "-c", cfg.toString(), mig.toString()).debug).isFalse();
  }
}
