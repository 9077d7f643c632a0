package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.fleet.Shard;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

/**
 * The CI examples of docs/fleets.md work as written (new user 23: the GitHub workflow ran {@code
 * scripts/install} in the user's checkout, where it is not, and the action had no fleet mode):
 * every step that uses prodguard's action gives only inputs the action declares, a fleet rollout
 * goes through the action's fleet inputs, nothing runs {@code scripts/install} in the user's
 * checkout, every prodguard command line of the GitHub, GitLab and Kubernetes examples parses with
 * the real CLI (picocli) and its shards are valid, and the jobs keep their backups off the runner.
 */
@DisplayName("G7/G9: the fleet CI examples of docs/fleets.md run as written")
class G7FleetCiDocsTest {
  private static final Path ROOT = Processes.repositoryRoot();

  /** One matrix entry of {@code prodguard fleet matrix}, as the jobs receive it. */
  private static final Map<String, String> MATRIX =
      Map.of("matrix.fleet", "tenants", "matrix.wave", "rest", "matrix.shard", "3/8");

  private static String doc() throws Exception {
    return Files.readString(ROOT.resolve("docs/fleets.md"));
  }

  /** The fenced YAML blocks of the document, in order. */
  private static List<String> yamlBlocks(String doc) {
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(doc);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> actionInputs() throws Exception {
    Map<String, Object> action =
        (Map<String, Object>)
            new Load(LoadSettings.builder().build())
                .loadFromString(
                    Files.readString(ROOT.resolve(".github/actions/prodguard/action.yml")));
    return (Map<String, Object>) action.get("inputs");
  }

  @Test
  @DisplayName(
      "GitHub Actions: the action's inputs exist, the fleet jobs promote through them, the"
          + " command the action builds and every run: line parse with the real CLI")
  @SuppressWarnings("unchecked")
  void githubWorkflowRunsAsWritten() throws Exception {
    String workflow =
        yamlBlocks(doc()).stream().filter(b -> b.contains("jobs:")).findFirst().orElseThrow();
    assertThat(workflow)
        .as("the user's checkout has no scripts/install")
        .doesNotContain("scripts/");
    Map<String, Object> inputs = actionInputs();
    Map<String, Object> jobs =
        (Map<String, Object>)
            ((Map<String, Object>)
                    new Load(LoadSettings.builder().build()).loadFromString(workflow))
                .get("jobs");
    int promotes = 0;
    int commands = 0;
    for (Map.Entry<String, Object> job : jobs.entrySet()) {
      List<Map<String, Object>> steps =
          (List<Map<String, Object>>) ((Map<String, Object>) job.getValue()).get("steps");
      boolean installed = false;
      for (Map<String, Object> step : steps) {
        String uses = String.valueOf(step.getOrDefault("uses", ""));
        if (uses.contains("/.github/actions/prodguard@")) {
          Map<String, Object> with = (Map<String, Object>) step.getOrDefault("with", Map.of());
          assertThat(inputs)
              .as(job.getKey() + ": the action's inputs")
              .containsKeys(with.keySet().toArray(String[]::new));
          String mode = String.valueOf(with.getOrDefault("mode", "analyse"));
          assertThat(mode).isIn("analyse", "promote", "install");
          installed = true;
          if (mode.equals("promote")) {
            promotes++;
            assertThat(with).as(job.getKey()).containsKey("fleet");
            // the command line the action's promote step builds from these inputs
            List<String> args =
                new ArrayList<>(List.of("promote", "--fleet", value(with, "fleet")));
            for (String option : List.of("wave", "shard", "parallel")) {
              if (with.containsKey(option)) {
                args.add("--" + option);
                args.add(value(with, option));
              }
            }
            parses(args);
            Map<String, Object> env = (Map<String, Object>) step.getOrDefault("env", Map.of());
            assertThat(env)
                .as(job.getKey() + ": backup.store: s3 needs the bucket's credentials")
                .containsKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
          }
        }
        String run = String.valueOf(step.getOrDefault("run", ""));
        for (List<String> command : prodguardCommands(run)) {
          assertThat(installed).as(job.getKey() + ": prodguard installed before " + run).isTrue();
          parses(command);
          commands++;
        }
      }
    }
    assertThat(promotes).as("canary and rest promote through the action").isEqualTo(2);
    assertThat(commands).as("the plan job's fleet matrix lines").isEqualTo(2);
    assertThat(doc()).contains("store: s3");
  }

  @Test
  @DisplayName(
      "GitLab parallel:matrix and the Kubernetes Indexed Job: every prodguard line parses with"
          + " the real CLI, with zero-based shards that cover the matrix; backups go to s3")
  void gitlabAndKubernetesRunAsWritten() throws Exception {
    List<String> blocks = yamlBlocks(doc());
    String gitlab =
        blocks.stream()
            .filter(b -> b.contains("extends: .prodguard-install"))
            .findFirst()
            .orElseThrow();
    Matcher shards = Pattern.compile("SHARD: \\[(.*?)]").matcher(gitlab);
    assertThat(shards.find()).as(gitlab).isTrue();
    List<String> values =
        Pattern.compile("\"([^\"]+)\"")
            .matcher(shards.group(1))
            .results()
            .map(r -> r.group(1))
            .toList();
    assertThat(values).isNotEmpty();
    for (String v : values) {
      Shard s = Shard.parse(v);
      assertThat(s.count()).isEqualTo(values.size());
    }
    List<List<String>> gitlabCommands = prodguardCommands(gitlab);
    assertThat(gitlabCommands).hasSize(2);
    for (List<String> c : gitlabCommands) {
      parses(c.stream().map(a -> a.equals("$SHARD") ? values.get(0) : a).toList());
    }
    assertThat(gitlab).contains("extends: .prodguard-install").contains("AWS_ACCESS_KEY_ID");

    String job = blocks.stream().filter(b -> b.contains("kind: Job")).findFirst().orElseThrow();
    Matcher completions = Pattern.compile("completions: (\\d+)").matcher(job);
    assertThat(completions.find()).isTrue();
    List<List<String>> jobCommands = prodguardCommands(job);
    assertThat(jobCommands).hasSize(1);
    List<String> args =
        jobCommands.get(0).stream().map(a -> a.replace("${JOB_COMPLETION_INDEX}", "0")).toList();
    parses(args);
    assertThat(Shard.parse(args.get(args.indexOf("--shard") + 1)).count())
        .isEqualTo(Integer.parseInt(completions.group(1)));
    assertThat(job).contains("AWS_ACCESS_KEY_ID").contains("AWS_SECRET_ACCESS_KEY");
  }

  /** An input's value with the matrix expressions of one job substituted. */
  private static String value(Map<String, Object> with, String key) {
    String v = String.valueOf(with.get(key));
    Matcher m = Pattern.compile("\\$\\{\\{\\s*(\\S+)\\s*}}").matcher(v);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      assertThat(MATRIX).as("a matrix key fleet matrix gives").containsKey(m.group(1));
      m.appendReplacement(b, Matcher.quoteReplacement(MATRIX.get(m.group(1))));
    }
    m.appendTail(b);
    return b.toString();
  }

  /** Each {@code prodguard ...} command of a script, as the shell would split it. */
  static List<List<String>> prodguardCommands(String script) {
    List<List<String>> out = new ArrayList<>();
    Matcher m =
        Pattern.compile("(?m)(?:^|[\\s(])prodguard ((?:promote|fleet|status)[^\\n)]*)")
            .matcher(script);
    while (m.find()) {
      String line = m.group(1).replaceAll("\\s+#.*$", "").strip();
      Map<String, String> subst = new LinkedHashMap<>();
      MATRIX.forEach((k, v) -> subst.put("${{ " + k + " }}", v));
      for (Map.Entry<String, String> e : subst.entrySet()) {
        line = line.replace(e.getKey(), e.getValue());
      }
      out.add(split(line));
    }
    return out;
  }

  /** Shell words: whitespace-separated, double quotes removed. */
  private static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    Matcher w = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
    while (w.find()) {
      words.add(w.group(1) != null ? w.group(1) : w.group(2));
    }
    return words;
  }

  /** The real CLI parses {@code args}: every subcommand, option and value is known. */
  private static void parses(List<String> args) {
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err));
    try {
      CommandLine.ParseResult r = cl.parseArgs(args.toArray(String[]::new));
      assertThat(r.subcommand()).as(String.join(" ", args)).isNotNull();
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError("prodguard " + String.join(" ", args) + ": " + e.getMessage(), e);
    }
    int shard = args.indexOf("--shard");
    if (shard >= 0) {
      Shard.parse(args.get(shard + 1));
    }
  }
}
