package dev.prodguard.spring;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the application uses prodguard: a {@code prodguard.*} property is set (from any
 * property source, the OS environment's {@code PRODGUARD_ENVIRONMENT} included), or a {@code
 * prodguard.yml} lies in the working directory. An application that has neither is left alone.
 */
public final class ProdguardConfiguredCondition extends SpringBootCondition {
  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata m) {
    Environment env = context.getEnvironment();
    if (env.containsProperty(ApplicationGuard.ENVIRONMENT_PROPERTY)
        || env.containsProperty(ApplicationGuard.CONFIG_PROPERTY)) {
      return ConditionOutcome.match("prodguard.environment or prodguard.config is set");
    }
    if (env instanceof ConfigurableEnvironment c) {
      for (var source : c.getPropertySources()) {
        if (source instanceof EnumerablePropertySource<?> e) {
          for (String name : e.getPropertyNames()) {
            if (name.startsWith("prodguard.")) {
              return ConditionOutcome.match("property " + name + " is set");
            }
          }
        }
      }
    }
    if (Files.isRegularFile(Path.of(ApplicationGuard.DEFAULT_FILE))) {
      return ConditionOutcome.match("prodguard.yml in the working directory");
    }
    return ConditionOutcome.noMatch("no prodguard.* property and no prodguard.yml here");
  }
}
