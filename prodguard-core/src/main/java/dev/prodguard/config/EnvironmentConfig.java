package dev.prodguard.config;

import dev.prodguard.db.DatabaseKind;
import java.util.List;
import java.util.Optional;

/**
 * One entry of {@code environments:} in prodguard.yml. {@code url} is the environment's own URL,
 * with the credential its applications (and anyone running Flyway by hand) use; {@code deployUrl}
 * ({@code deploy-url}), when set, is the credential prodguard's mutation commands connect with
 * instead: the deploying role of G6's role split, which MySQL/MariaDB need because they have no DDL
 * triggers.
 *
 * @param database the optional {@code database:} key: which server the environment runs, for
 *     judging its migrations when its URL cannot be resolved here (see {@code
 *     environment.ServerKind})
 */
public record EnvironmentConfig(
    String name,
    ConfigValue url,
    Optional<ConfigValue> deployUrl,
    Optional<String> fingerprint,
    boolean isProtected,
    List<String> hosts,
    Optional<DatabaseKind> database,
    String file,
    int line) {

  public EnvironmentConfig {
    hosts = List.copyOf(hosts);
  }

  /** The variables of {@code url} and {@code deploy-url}, in that order. */
  public List<String> urlVariables() {
    List<String> out = new java.util.ArrayList<>(url.variables());
    deployUrl.ifPresent(d -> out.addAll(d.variables()));
    return out;
  }
}
