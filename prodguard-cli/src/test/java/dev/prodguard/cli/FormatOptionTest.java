package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --format} is one mixin; each command keeps the values and help it had. */
@DisplayName("CLI: --format is one mixin with each command's values and help")
class FormatOptionTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CommandLine cl = Main.commandLine(new PrintWriter(out), new PrintWriter(err));

  @Test
  @DisplayName("every command with --format declares it through FormatOption")
  void everyFormatIsTheMixin() {
    List<String> commands = new ArrayList<>();
    walk(cl, commands);
    assertThat(commands)
        .contains("lint", "scan", "status", "demo", "contract diff", "audit verify")
        .hasSizeGreaterThanOrEqualTo(15);
  }

  private static void walk(CommandLine c, List<String> found) {
    CommandLine.Model.OptionSpec option = c.getCommandSpec().findOption("--format");
    if (option != null) {
      assertThat(c.getCommandSpec().mixins().values())
          .as(c.getCommandSpec().qualifiedName())
          .anyMatch(m -> m.userObject() instanceof FormatOption);
      found.add(c.getCommandSpec().qualifiedName(" ").replaceFirst("^prodguard ", ""));
    }
    for (Map.Entry<String, CommandLine> sub : c.getSubcommands().entrySet()) {
      walk(sub.getValue(), found);
    }
  }

  /** The command's help, lines joined (the usage wraps long descriptions). */
  private String usage(String command) {
    return cl.getSubcommands().get(command).getUsageMessage().replaceAll("\\s+", " ");
  }

  @Test
  @DisplayName("lint and scan offer text, json, sarif and junit, and say so in --help")
  void findingReports() {
    for (String command : List.of("lint", "scan")) {
      String help = usage(command);
      assertThat(help).contains("--format=FORMAT", "text, json, sarif or junit (default: text)");
      assertThat(cl.parseArgs(command, "--format", "junit").subcommand().matchedOption("--format"))
          .isNotNull();
    }
  }

  @Test
  @DisplayName("the other commands offer text and json; sarif is a usage error (exit 2)")
  void textJson() {
    assertThat(usage("status")).contains("text or json").doesNotContain("sarif");
    assertThat(usage("demo")).contains("the summary on stdout, the story on stderr");
    assertThat(cl.execute("status", "--format", "sarif")).isEqualTo(Main.USAGE);
    assertThat(err.toString())
        .contains("'--format'", "expected one of [text, json]", "but was 'sarif'");
    assertThat(cl.execute("scan", ".", "--format", "xml")).isEqualTo(Main.USAGE);
  }
}
