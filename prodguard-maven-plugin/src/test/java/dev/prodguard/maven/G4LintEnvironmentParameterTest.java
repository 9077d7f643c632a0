package dev.prodguard.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G4: the severity {@code lint} judges with is lint's own configuration. Read from the plugin
 * descriptor Maven uses ({@code META-INF/maven/plugin.xml}, generated at process-classes): the user
 * property each goal's {@code environment} is filled from. {@code check} needs {@code
 * -Dprodguard.environment=dev}; if lint read the same property, that run's lint would judge with
 * dev's severity (forbidden rules as warnings) instead of the protected default.
 */
@DisplayName("G4 Maven plugin: -Dprodguard.environment for check leaves lint's severity alone")
class G4LintEnvironmentParameterTest {
  private static final Pattern MOJO = Pattern.compile("(?s)<mojo>(.*?)</mojo>");
  private static final Pattern GOAL = Pattern.compile("<goal>([^<]+)</goal>");
  private static final Pattern ENVIRONMENT =
      Pattern.compile("<environment implementation=\"[^\"]*\">([^<]*)</environment>");

  private static Map<String, String> environmentExpressions() throws Exception {
    String xml = Files.readString(Path.of("target/classes/META-INF/maven/plugin.xml"));
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = MOJO.matcher(xml);
    while (m.find()) {
      Matcher goal = GOAL.matcher(m.group(1));
      Matcher env = ENVIRONMENT.matcher(m.group(1));
      if (goal.find() && env.find()) {
        out.put(goal.group(1), env.group(1));
      }
    }
    return out;
  }

  @Test
  @DisplayName("lint's environment is prodguard.lint.environment; check's is prodguard.environment")
  void eachGoalItsOwnEnvironment() throws Exception {
    Map<String, String> e = environmentExpressions();
    assertThat(e).containsEntry("check", "${prodguard.environment}");
    assertThat(e).containsEntry("lint", "${prodguard.lint.environment}");
  }
}
