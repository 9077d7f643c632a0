package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A usage error names the command the user typed: {@code prodguard drift accept --bad} pointed at
 * {@code prodguard accept --help}, a command that does not exist, before the hint used picocli's
 * qualified name. Checked for every command and nested subcommand.
 */
@DisplayName("CLI: a usage error's hint names the full command, nested subcommands included")
class UsageHintTest {

  /** Every command path below the root, e.g. {@code [drift, accept]}. */
  private static void paths(CommandLine cl, List<String> prefix, List<List<String>> out) {
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getValue().getCommandSpec().aliases().length > 0
          && !e.getKey().equals(e.getValue().getCommandName())) {
        continue; // an alias: the same command under another name
      }
      List<String> p = new ArrayList<>(prefix);
      p.add(e.getKey());
      out.add(p);
      paths(e.getValue(), p, out);
    }
  }

  @Test
  void everySubcommandNamesItself() {
    List<List<String>> all = new ArrayList<>();
    paths(
        Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())),
        List.of(),
        all);
    // the nested ones that were wrong, and the rest
    assertThat(all)
        .contains(
            List.of("drift", "accept"),
            List.of("drift", "show"),
            List.of("fleet", "matrix"),
            List.of("ci", "whoami"),
            List.of("audit", "verify"));
    assertThat(all.stream().filter(p -> p.get(0).equals("contract")).count()).isGreaterThan(1);
    List<String> wrong = new ArrayList<>();
    for (List<String> path : all) {
      StringWriter err = new StringWriter();
      CommandLine cl =
          Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true));
      List<String> args = new ArrayList<>(path);
      args.add("--no-such-option-h17");
      int exit = cl.execute(args.toArray(String[]::new));
      String expected = "  see: prodguard " + String.join(" ", path) + " --help";
      if (exit != Main.USAGE || !err.toString().contains(expected + System.lineSeparator())) {
        wrong.add(String.join(" ", path) + " -> exit " + exit + ": " + err);
      }
    }
    assertThat(wrong).as("commands whose usage hint is wrong").isEmpty();
  }

  @Test
  void theRootNamesItselfOnce() {
    StringWriter err = new StringWriter();
    int exit =
        Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true))
            .execute("--no-such-option-h17");
    assertThat(exit).isEqualTo(Main.USAGE);
    assertThat(err.toString())
        .contains("  see: prodguard --help")
        .doesNotContain("prodguard prodguard");
  }
}
