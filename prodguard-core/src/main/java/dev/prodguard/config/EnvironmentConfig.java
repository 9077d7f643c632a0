package dev.prodguard.config;

import java.util.List;
import java.util.Optional;

/** One entry of {@code environments:} in prodguard.yml. */
public record EnvironmentConfig(
    String name,
    ConfigValue url,
    Optional<String> fingerprint,
    boolean isProtected,
    List<String> hosts,
    String file,
    int line) {

  public EnvironmentConfig {
    hosts = List.copyOf(hosts);
  }
}
