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

  /**
   * The server whose rules judge migration files when linting ({@code prodguard lint}, the Maven
   * plugin): the option; else the server of {@code env}, or of every environment in prodguard.yml
   * (they must agree), each from its resolved URL or its {@code database:} key; PostgreSQL when
   * there is no prodguard.yml. Never a guess from unresolved {@code ${...}} text: when nothing
   * tells, a configuration error.
   *
   * @param option the dialect option's value, or null
   * @param optionName how the caller spells that option, for messages ({@code --dialect})
   * @param pickOne how the caller picks one environment, for messages ({@code lint with --env ENV})
   * @throws ConfigException when the option is not a server, contradicts the environment, or the
   *     environments disagree or do not tell
   */
  public static DatabaseKind judging(
      String option,
      Optional<ProdguardConfig> config,
      Optional<EnvironmentConfig> env,
      Map<String, String> variables,
      String optionName,
      String pickOne) {
    Optional<DatabaseKind> explicit = Optional.empty();
    if (option != null) {
      explicit =
          Optional.of(
              DatabaseKind.fromOptionName(option)
                  .orElseThrow(
                      () ->
                          new ConfigException(
                              optionName + " must be postgresql or mariadb (alias mysql)")));
    }
    if (env.isPresent()) {
      Optional<DatabaseKind> kind = of(env.get(), variables);
      if (explicit.isPresent() && kind.isPresent() && explicit.get() != kind.get()) {
        throw new ConfigException(
            optionName
                + " "
                + id(explicit.get())
                + " contradicts environment '"
                + env.get().name()
                + "', which runs "
                + label(kind.get())
                + ": drop "
                + optionName);
      }
      return explicit.or(() -> kind).orElseThrow(() -> unknown(env.get()));
    }
    if (explicit.isPresent() || config.isEmpty()) {
      return explicit.orElse(DatabaseKind.WITHOUT_CONFIGURATION);
    }
    Map<String, DatabaseKind> kinds = new java.util.LinkedHashMap<>();
    for (EnvironmentConfig e : config.get().environments().values()) {
      kinds.put(e.name(), of(e, variables).orElseThrow(() -> unknown(e)));
    }
    if (kinds.values().stream().distinct().count() > 1) {
      StringBuilder which = new StringBuilder();
      kinds.forEach(
          (name, k) ->
              which
                  .append(which.length() == 0 ? "" : ", ")
                  .append(name)
                  .append(": ")
                  .append(label(k)));
      throw new ConfigException(
          "the environments run different servers ("
              + which
              + "): "
              + pickOne
              + " to judge by one of them");
    }
    return kinds.values().iterator().next();
  }

  private static ConfigException unknown(EnvironmentConfig env) {
    return new ConfigException(
        env.file(), env.line(), "environments." + env.name(), unknownFix(env));
  }
}
