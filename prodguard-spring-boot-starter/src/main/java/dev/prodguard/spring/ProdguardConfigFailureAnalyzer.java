package dev.prodguard.spring;

import dev.prodguard.config.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** prodguard.yml or a {@code prodguard.*} property in error: file, line and key, no stack trace. */
public final class ProdguardConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {
  @Override
  protected FailureAnalysis analyze(Throwable root, ConfigException e) {
    return new FailureAnalysis(
        e.render(),
        "correct the configuration named above (docs/spring-boot.md, docs/configuration.md)",
        e);
  }
}
