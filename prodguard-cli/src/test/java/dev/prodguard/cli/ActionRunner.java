package dev.prodguard.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Runs a composite GitHub Action's steps locally, the way the runner does for {@code shell: bash}:
 * each {@code run:} script with {@code bash --noprofile --norc -eo pipefail}, in its {@code
 * working-directory}, with its {@code env:} and the {@code GITHUB_*} files (outputs, path). A
 * {@code uses:} step is not run; its evaluated {@code with:} is recorded, so a test can check what
 * it would have been given. Expressions understood: {@code inputs.X}, {@code steps.ID.outputs.X},
 * {@code runner.temp}, {@code github.action_path}, and in {@code if:} the terms {@code always()},
 * {@code success()}, {@code A == 'b'}, {@code A != 'b'} joined by {@code &&}. Anything else fails
 * the test, so the action cannot drift beyond what this runner checks.
 */
final class ActionRunner {
  /**
   * One step as it ran: skipped, a {@code uses:} with its inputs, or a script's exit and output.
   */
  record Step(
      String id,
      String name,
      boolean ran,
      String uses,
      Map<String, String> with,
      int exit,
      String out,
      String err,
      Map<String, String> outputs) {}

  /** The whole run: the steps, and the action's outputs evaluated at the end. */
  record Run(List<Step> steps, Map<String, String> outputs, boolean failed) {
    Step step(String name) {
      return steps.stream()
          .filter(s -> s.name().equals(name) || name.equals(s.id()))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no step " + name + " in " + steps));
    }

    String log() {
      StringBuilder b = new StringBuilder();
      for (Step s : steps) {
        b.append("== ")
            .append(s.name())
            .append(s.ran() ? " (exit " + s.exit() + ")" : " (skipped)");
        b.append('\n').append(s.out()).append(s.err());
      }
      return b.toString();
    }
  }

  private static final Pattern EXPR = Pattern.compile("\\$\\{\\{\\s*(.*?)\\s*}}");
  private static final Pattern TERM =
      Pattern.compile("([A-Za-z0-9_.()-]+)\\s*(==|!=)\\s*'([^']*)'|always\\(\\)|success\\(\\)");

  private final Path actionDir;
  private final Map<String, Object> action;

  @SuppressWarnings("unchecked")
  ActionRunner(Path actionYml) throws IOException {
    this.actionDir = actionYml.getParent().toAbsolutePath();
    Load load = new Load(LoadSettings.builder().build());
    this.action =
        (Map<String, Object>)
            load.loadFromString(Files.readString(actionYml, StandardCharsets.UTF_8));
    Map<String, Object> runs = (Map<String, Object>) action.get("runs");
    if (!"composite".equals(runs.get("using"))) {
      throw new AssertionError("not a composite action: " + runs.get("using"));
    }
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> declaredInputs() {
    return (Map<String, Object>) action.get("inputs");
  }

  @SuppressWarnings("unchecked")
  List<Map<String, Object>> steps() {
    return (List<Map<String, Object>>) ((Map<String, Object>) action.get("runs")).get("steps");
  }

  /**
   * Runs the steps.
   *
   * @param given the {@code with:} of the workflow step that uses the action
   * @param env the job's environment (GITHUB_*, secrets the workflow step passes)
   * @param workspace {@code GITHUB_WORKSPACE}, the checked-out repository
   * @param runnerTemp {@code RUNNER_TEMP}
   */
  @SuppressWarnings("unchecked")
  Run run(Map<String, String> given, Map<String, String> env, Path workspace, Path runnerTemp)
      throws IOException, InterruptedException {
    Map<String, String> inputs = new LinkedHashMap<>();
    declaredInputs()
        .forEach(
            (k, v) -> {
              Object d = ((Map<String, Object>) v).get("default");
              inputs.put(k, d == null ? "" : String.valueOf(d));
            });
    for (String k : given.keySet()) {
      if (!inputs.containsKey(k)) {
        throw new AssertionError("the action has no input '" + k + "'");
      }
    }
    inputs.putAll(given);

    Files.createDirectories(runnerTemp);
    Path githubPath = runnerTemp.resolve("_github_path");
    Files.writeString(githubPath, "");
    List<String> pathAdditions = new ArrayList<>();
    Map<String, Map<String, String>> stepOutputs = new LinkedHashMap<>();
    List<Step> done = new ArrayList<>();
    boolean failed = false;

    List<Map<String, Object>> steps =
        (List<Map<String, Object>>) ((Map<String, Object>) action.get("runs")).get("steps");
    int n = 0;
    for (Map<String, Object> step : steps) {
      n++;
      String id = (String) step.get("id");
      String name = String.valueOf(step.getOrDefault("name", id == null ? "step " + n : id));
      Context ctx = new Context(inputs, stepOutputs, runnerTemp, failed);
      String cond = (String) step.get("if");
      if (!(cond == null ? !failed : condition(cond, ctx))) {
        done.add(new Step(id, name, false, null, Map.of(), 0, "", "", Map.of()));
        continue;
      }
      if (step.containsKey("uses")) {
        Map<String, String> with = new LinkedHashMap<>();
        Map<String, Object> w = (Map<String, Object>) step.getOrDefault("with", Map.of());
        w.forEach((k, v) -> with.put(k, expand(String.valueOf(v), ctx)));
        done.add(new Step(id, name, true, (String) step.get("uses"), with, 0, "", "", Map.of()));
        continue;
      }
      if (!"bash".equals(step.get("shell"))) {
        throw new AssertionError("step '" + name + "' must say shell: bash");
      }
      Map<String, String> stepEnv = new LinkedHashMap<>(env);
      stepEnv.put("GITHUB_ACTION_PATH", actionDir.toString());
      stepEnv.put("GITHUB_WORKSPACE", workspace.toString());
      stepEnv.put("RUNNER_TEMP", runnerTemp.toString());
      stepEnv.put("GITHUB_PATH", githubPath.toString());
      Path outputFile = runnerTemp.resolve("_output_" + n);
      Files.writeString(outputFile, "");
      stepEnv.put("GITHUB_OUTPUT", outputFile.toString());
      Map<String, Object> declared = (Map<String, Object>) step.getOrDefault("env", Map.of());
      declared.forEach((k, v) -> stepEnv.put(k, expand(String.valueOf(v), ctx)));
      List<String> path = new ArrayList<>(pathAdditions);
      java.util.Collections.reverse(path);
      path.add(env.getOrDefault("PATH", ""));
      stepEnv.put("PATH", String.join(":", path));

      Path script = runnerTemp.resolve("_step_" + n + ".sh");
      Files.writeString(script, (String) step.get("run"), StandardCharsets.UTF_8);
      Path cwd = workspace;
      if (step.containsKey("working-directory")) {
        cwd = workspace.resolve(expand(String.valueOf(step.get("working-directory")), ctx));
      }
      Cli.Result r =
          Processes.run(
              cwd,
              stepEnv,
              List.of("bash", "--noprofile", "--norc", "-eo", "pipefail", script.toString()));
      Map<String, String> outputs = readOutputs(outputFile);
      if (id != null) {
        stepOutputs.put(id, outputs);
      }
      for (String line : Files.readAllLines(githubPath)) {
        if (!line.isBlank() && !pathAdditions.contains(line)) {
          pathAdditions.add(line.trim());
        }
      }
      done.add(new Step(id, name, true, null, Map.of(), r.exit(), r.out(), r.err(), outputs));
      if (r.exit() != 0) {
        failed = true;
      }
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    Map<String, Object> declaredOutputs =
        (Map<String, Object>) action.getOrDefault("outputs", Map.of());
    Context end = new Context(inputs, stepOutputs, runnerTemp, failed);
    declaredOutputs.forEach(
        (k, v) ->
            outputs.put(k, expand(String.valueOf(((Map<String, Object>) v).get("value")), end)));
    return new Run(done, outputs, failed);
  }

  private record Context(
      Map<String, String> inputs,
      Map<String, Map<String, String>> steps,
      Path runnerTemp,
      boolean failed) {}

  /** {@code name=value} lines and {@code name<<DELIM} blocks, as the runner reads GITHUB_OUTPUT. */
  static Map<String, String> readOutputs(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int heredoc = line.indexOf("<<");
      int eq = line.indexOf('=');
      if (heredoc > 0 && (eq < 0 || heredoc < eq)) {
        String delim = line.substring(heredoc + 2);
        StringBuilder v = new StringBuilder();
        for (i++; i < lines.size() && !lines.get(i).equals(delim); i++) {
          v.append(v.length() == 0 ? "" : "\n").append(lines.get(i));
        }
        out.put(line.substring(0, heredoc), v.toString());
      } else if (eq > 0) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }

  private String expand(String text, Context ctx) {
    Matcher m = EXPR.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement(value(m.group(1), ctx)));
    }
    m.appendTail(b);
    return b.toString();
  }

  private String value(String ref, Context ctx) {
    String[] p = ref.split("\\.");
    if (p.length == 2 && p[0].equals("inputs")) {
      if (!ctx.inputs().containsKey(p[1])) {
        throw new AssertionError("undeclared input " + ref);
      }
      return ctx.inputs().get(p[1]);
    }
    if (p.length == 4 && p[0].equals("steps") && p[2].equals("outputs")) {
      return ctx.steps().getOrDefault(p[1], Map.of()).getOrDefault(p[3], "");
    }
    if (ref.equals("runner.temp")) {
      return ctx.runnerTemp().toString();
    }
    if (ref.equals("github.action_path")) {
      return actionDir.toString();
    }
    throw new AssertionError("expression not understood by the test runner: " + ref);
  }

  private boolean condition(String cond, Context ctx) {
    String c = cond.trim();
    if (c.startsWith("${{") && c.endsWith("}}")) {
      c = c.substring(3, c.length() - 2).trim();
    }
    boolean always = false;
    boolean result = true;
    for (String term : c.split("&&")) {
      Matcher m = TERM.matcher(term.trim());
      if (!m.matches()) {
        throw new AssertionError("condition not understood by the test runner: " + cond);
      }
      if (term.trim().equals("always()")) {
        always = true;
      } else if (term.trim().equals("success()")) {
        result &= !ctx.failed();
      } else {
        String left = value(m.group(1), ctx);
        boolean eq = left.equals(m.group(3));
        result &= m.group(2).equals("==") ? eq : !eq;
      }
    }
    // without a status function GitHub adds success(): a failed earlier step skips the step
    return result && (always || !ctx.failed());
  }
}
