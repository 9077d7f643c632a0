package dev.prodguard.config;

import dev.prodguard.dialect.Dialect;
import java.util.List;
import java.util.Optional;

/**
 * One entry of {@code environments:} in prodguard.yml.
 *
 * @param database the optional {@code database:} key: which server the environment runs, for
 *     judging its migrations when its URL cannot be resolved here (see {@code
 *     environment.ServerKind})
 */
public record EnvironmentConfig(
    String name,
    ConfigValue url,
    Optional<String> fingerprint,
    boolean isProtected,
    List<String> hosts,
    Optional<Dialect.Kind> database,
    String file,
    int line) {

  public EnvironmentConfig {
    hosts = List.copyOf(hosts);
  }
}
