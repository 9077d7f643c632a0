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
 * {@code -c/--config FILE} is accepted before the subcommand too, as the README says of every
 * command. Before the fix {@code prodguard -c prodguard-mysql.yml lint} was a usage error (exit 2,
 * "Unknown options: '-c'"): a multi-backend project with one configuration per backend could not
 * name it where most CLIs take a global option.
 */
@DisplayName("CLI: -c/--config before or after the subcommand means the same")
class ConfigOptionTest {
  @TempDir Path dir;

  private Path config;
  private final StringWriter err = new StringWriter();

  private CommandLine setUp() throws Exception {
    // not the default name: only the option can find it
    config =
        Files.writeString(
            dir.resolve("prodguard-mysql.yml"),
            "environments:\n  dev:\n    url: mysql://127.0.0.1/x\n");
    Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(dir.resolve("db/migration/V1__a.sql"), "CREATE TABLE a (id int);\n");
    return Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true));
  }

  private String mig() {
    return dir.resolve("db/migration").toString();
  }

  private static CommonOptions common(CommandLine cl) {
    return (CommonOptions)
        cl.getSubcommands().get("lint").getCommandSpec().mixins().get("common").userObject();
  }

  @Test
  @DisplayName("-c FILE lint: the subcommand reads FILE")
  void before() throws Exception {
    CommandLine cl = setUp();
    assertThat(cl.execute("-c", config.toString(), "lint", mig())).as(err.toString()).isZero();
    assertThat(common(cl).config).isEqualTo(config);
  }

  @Test
  @DisplayName("-c FILE lint reads FILE: a malformed one is the configuration error, named")
  void beforeIsRead() throws Exception {
    CommandLine cl = setUp();
    java.nio.file.Path bad = Files.writeString(dir.resolve("bad.yml"), "environments: [\n");
    assertThat(cl.execute("-c", bad.toString(), "lint", mig())).isEqualTo(Main.USAGE);
    assertThat(err.toString()).contains("bad.yml").doesNotContain("Unknown option");
  }

  @Test
  @DisplayName("--config=FILE lint, and -c FILE lint -c FILE: the same file")
  void longFormAndTwiceTheSame() throws Exception {
    CommandLine cl = setUp();
    assertThat(cl.execute("--config=" + config, "lint", mig())).as(err.toString()).isZero();
    assertThat(common(cl).config).isEqualTo(config);
    CommandLine again = setUp();
    assertThat(again.execute("-c", config.toString(), "lint", "-c", config.toString(), mig()))
        .as(err.toString())
        .isZero();
  }

  @Test
  @DisplayName("two different files, before and after: a usage error naming both")
  void twoDifferentFiles() throws Exception {
    CommandLine cl = setUp();
    assertThat(cl.execute("-c", config.toString(), "lint", "-c", "other.yml", mig()))
        .isEqualTo(Main.USAGE);
    assertThat(err.toString()).contains("given twice", "other.yml", config.toString());
  }

  @Test
  @DisplayName("a run of one subcommand loads only that one, with -c before it too")
  void onlyTheNamedSubcommand() {
    assertThat(ProdguardCommand.only("-c", "x.yml", "lint")).contains(LintCommand.class);
    assertThat(ProdguardCommand.only("--config=x.yml", "--debug", "scan"))
        .contains(ScanCommand.class);
  }
}
