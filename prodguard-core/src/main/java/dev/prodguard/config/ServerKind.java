package dev.prodguard.config;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.DatabaseUrl;
import java.util.Map;
import java.util.Optional;

/**
 * Which server an environment runs, so that {@code lint} and {@code verify} judge its migrations by
 * that server's rules (G4): the kind of its URL when the URL resolves here, else the environment's
 * {@code database:} key. Never a guess from unresolved {@code ${...}} text. A URL that resolves to
 * another kind than {@code database:} names is a configuration error (exit 2).
 */
public final class ServerKind {
  private ServerKind() {}

  /**
   * The server of {@code env}, or empty when neither a resolvable URL nor {@code database:} tells.
   *
   * @param variables the process environment the URL's {@code ${VAR}} references resolve against
   * @throws ConfigException when the URL resolves but does not parse, or disagrees with {@code
   *     database:}
   */
  public static Optional<DatabaseKind> of(EnvironmentConfig env, Map<String, String> variables) {
    if (env.url().resolvable(variables)) {
      DatabaseUrl url = env.url().databaseUrl(variables);
      check(env, url);
      return Optional.of(url.kind());
    }
    return env.database();
  }

  /**
   * Refuses a resolved URL whose server differs from the environment's {@code database:} key.
   *
   * @throws ConfigException naming the key and both kinds
   */
  public static void check(EnvironmentConfig env, DatabaseUrl url) {
    if (env.database().isPresent() && env.database().get() != url.kind()) {
      throw new ConfigException(
          env.file(),
          env.line(),
          "environments." + env.name() + ".database",
          "environment '"
              + env.name()
              + "' says database: "
              + id(env.database().get())
              + ", but its URL ("
              + String.join(", ", env.url().variables())
              + ") leads to "
              + label(url.kind())
              + ": fix the URL or the database key");
    }
  }

  /** The one-line fix when nothing tells which server {@code env} runs. */
  public static String unknownFix(EnvironmentConfig env) {
    String vars = String.join(", ", env.url().variables());
    return "cannot tell which server environment '"
        + env.name()
        + "' runs ("
        + (vars.isEmpty() ? "no URL" : vars + " is not set here")
        + "): add 'database: postgresql' or 'database: mariadb' to environments."
        + env.name()
        + " in prodguard.yml, or pass --dialect";
  }

  /** {@code postgresql} or {@code mariadb}, as the {@code database:} key spells it. */
  public static String id(DatabaseKind kind) {
    return kind.id();
  }

  /** PostgreSQL or MySQL/MariaDB, for messages. */
  public static String label(DatabaseKind kind) {
    return kind.label();
  }
}
