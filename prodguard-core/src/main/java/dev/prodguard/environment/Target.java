package dev.prodguard.environment;

import dev.prodguard.Guarantee;
import dev.prodguard.GuardRefusal;
import dev.prodguard.RunContext;
import dev.prodguard.ci.CiIdentity;
import dev.prodguard.ci.CiVerifiers;
import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.dialect.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * An environment a command is about to reach, after every check that needs no connection: G1 for
 * mutations of protected environments, URL resolution, G3. Connections come only from here.
 */
public final class Target {
  /** What the command will do to the environment. */
  public enum Access {
    READ,
    MUTATE
  }

  private static final int CONNECT_TIMEOUT_SECONDS = 10;

  private final ProdguardConfig config;
  private final EnvironmentConfig environment;
  private final DatabaseUrl url;
  private final Dialect dialect;
  private final Optional<CiIdentity> ciIdentity;

  private Target(
      ProdguardConfig config,
      EnvironmentConfig environment,
      DatabaseUrl url,
      Optional<CiIdentity> ciIdentity) {
    this.config = config;
    this.environment = environment;
    this.url = url;
    this.dialect = Dialect.of(url.kind());
    this.ciIdentity = ciIdentity;
  }

  /** Runs every pre-connection guard, in order: G1 (mutation of protected), config, G3. */
  public static Target prepare(
      ProdguardConfig config, String envName, RunContext context, Access access, String action) {
    EnvironmentConfig env = config.environment(envName);
    Optional<CiIdentity> identity = Optional.empty();
    if (access == Access.MUTATE && env.isProtected()) {
      identity = Optional.of(CiVerifiers.forConfig(config).verify(context, action));
    }
    DatabaseUrl url = DatabaseUrl.parse(env.url(), context.env());
    ServerKind.check(env, url);
    UrlRule.check(config, env, url, context, access == Access.MUTATE);
    return new Target(config, env, url, identity);
  }

  public EnvironmentConfig environment() {
    return environment;
  }

  public String name() {
    return environment.name();
  }

  public DatabaseUrl url() {
    return url;
  }

  public Dialect dialect() {
    return dialect;
  }

  public ProdguardConfig config() {
    return config;
  }

  public Optional<CiIdentity> ciIdentity() {
    return ciIdentity;
  }

  /** A connection and the metadata it was validated against. */
  public record Checked(Connection connection, DatabaseMetadata metadata) implements AutoCloseable {
    @Override
    public void close() throws SQLException {
      connection.close();
    }
  }

  /** A connection validated against the configured fingerprint (G2) before it is returned. */
  public Connection connect() throws SQLException {
    return open().connection();
  }

  /** Like {@link #connect()}, with the metadata that was validated. */
  public Checked open() throws SQLException {
    String expected =
        environment
            .fingerprint()
            .orElseThrow(
                () ->
                    new GuardRefusal(
                        Guarantee.G2,
                        "connect to environment '" + name() + "'",
                        "prodguard.yml has no fingerprint for '"
                            + name()
                            + "', so nothing can prove which database the URL leads to",
                        "run 'prodguard init-fingerprint "
                            + name()
                            + "' and commit the fingerprint it prints"));
    Connection c = connectUnchecked();
    try {
      return new Checked(c, FingerprintCheck.validate(c, dialect, name(), expected));
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * A connection that has passed G1 and G3 but not G2: only for creating or reading the metadata
   * itself ({@code init-fingerprint}, {@code status}).
   */
  public Connection connectUnchecked() throws SQLException {
    Properties props = url.connectionProperties();
    if (!url.params().containsKey(dialect.connectTimeoutProperty())) {
      props.setProperty(
          dialect.connectTimeoutProperty(), dialect.connectTimeoutValue(CONNECT_TIMEOUT_SECONDS));
    }
    Connection c = dialect.driver().connect(url.jdbcUrl(), props);
    if (c == null) {
      throw new SQLException("the JDBC driver did not accept " + url.jdbcUrl());
    }
    return c;
  }
}
