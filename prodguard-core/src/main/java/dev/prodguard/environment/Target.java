package dev.prodguard.environment;

import dev.prodguard.ci.CiIdentity;
import dev.prodguard.ci.CiVerifiers;
import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ConfigValue;
import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.config.ServerKind;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.jdbc.DatabaseMetadata;
import dev.prodguard.jdbc.FingerprintCheck;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/**
 * An environment a command is about to reach, after every check that needs no connection: G1 for
 * mutations of protected environments, URL resolution, G3. Connections come only from here.
 *
 * <p>Mutation commands connect with the environment's {@code deploy-url} when it has one (the
 * deploying role of G6's role split), everything else with its {@code url}; {@link
 * #openEnvironmentCredential()} opens the {@code url}'s credential, fingerprint-checked, so that a
 * deploy can check what applications and people with it may do.
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
  private final DatabaseUrl environmentUrl;
  private final DatabaseSupport dialect;
  private final Optional<CiIdentity> ciIdentity;

  private Target(
      ProdguardConfig config,
      EnvironmentConfig environment,
      DatabaseUrl url,
      DatabaseUrl environmentUrl,
      Optional<CiIdentity> ciIdentity) {
    this.config = config;
    this.environment = environment;
    this.url = url;
    this.environmentUrl = environmentUrl;
    this.dialect = DatabaseSupport.of(url.kind());
    this.ciIdentity = ciIdentity;
  }

  /** Runs every pre-connection guard, in order: G1 (mutation of protected), config, G3. */
  public static Target prepare(
      ProdguardConfig config, String envName, RunContext context, Access access, String action) {
    return prepare(config, envName, context, access, action, Optional.empty());
  }

  /**
   * Like {@link #prepare(ProdguardConfig, String, RunContext, Access, String)}, with G1 already
   * proven once for the whole process ({@code verified}: the identity {@code CiVerifiers} returned
   * before any connection, as a fleet rollout does so that a short-lived CI token proves the one
   * process rather than expiring halfway through hundreds of targets). Empty: verify here.
   */
  public static Target prepare(
      ProdguardConfig config,
      String envName,
      RunContext context,
      Access access,
      String action,
      Optional<CiIdentity> verified) {
    EnvironmentConfig env = config.environment(envName);
    Optional<CiIdentity> identity = Optional.empty();
    if (access == Access.MUTATE && env.isProtected()) {
      identity =
          Optional.of(
              verified.orElseGet(() -> CiVerifiers.forConfig(config).verify(context, action)));
    }
    DatabaseUrl url = env.url().databaseUrl(context.env());
    ServerKind.check(env, url);
    boolean inCi = CiVerifiers.inCi(config, context, identity, action);
    UrlRule.check(config, env, url, context, access == Access.MUTATE, inCi);
    DatabaseUrl connectWith = url;
    if (access == Access.MUTATE && env.deployUrl().isPresent()) {
      ConfigValue deploy = env.deployUrl().get();
      connectWith = deploy.databaseUrl(context.env());
      if (connectWith.kind() != url.kind()) {
        throw new ConfigException(
            deploy.file(),
            deploy.line(),
            deploy.key(),
            "'deploy-url' of '" + env.name() + "' leads to another kind of server than its 'url'");
      }
      UrlRule.check(config, env, connectWith, context, true, inCi);
    }
    return new Target(config, env, connectWith, url, identity);
  }

  public EnvironmentConfig environment() {
    return environment;
  }

  public String name() {
    return environment.name();
  }

  /** The URL this target connects with: {@code deploy-url} for a mutation when set, else url. */
  public DatabaseUrl url() {
    return url;
  }

  public DatabaseSupport dialect() {
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
    return open(true);
  }

  /**
   * Like {@link #open()} for a command that writes nothing to the target (the audit trail's reading
   * and verification): objects on prodguard's own tables are not refused there (G7 refuses them
   * before any write), since it fires none of them and is how a tampered trail is examined.
   */
  public Checked openToRead() throws SQLException {
    return open(false);
  }

  private Checked open(boolean forWriting) throws SQLException {
    String expected = environment.fingerprint().orElseThrow(() -> noFingerprint());
    Connection c = connectUnchecked();
    try {
      return new Checked(
          c, FingerprintCheck.validateOwnState(c, dialect, name(), expected, forWriting));
    } catch (GuardRefusal r) {
      c.close();
      throw addressed(r);
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * G2's refusal with its init-fingerprint hint naming a fleet's target as {@code ID --fleet NAME}
   * (the check itself, in prodguard-jdbc, knows only the environment's name).
   */
  private GuardRefusal addressed(GuardRefusal r) {
    String address = config.address(name());
    String hint = "'prodguard init-fingerprint " + name() + "'";
    if (address.equals(name()) || r.fix() == null || !r.fix().contains(hint)) {
      return r;
    }
    return new GuardRefusal(
        r.guarantee(),
        r.what(),
        r.why(),
        r.fix().replace(hint, "'prodguard init-fingerprint " + address + "'"),
        r);
  }

  /**
   * A connection that has passed G1 and G3 but not G2: only for creating or reading the metadata
   * itself ({@code init-fingerprint}, {@code status}).
   */
  public Connection connectUnchecked() throws SQLException {
    return connect(url);
  }

  /**
   * A connection with the environment's own {@code url} credential, validated against the
   * fingerprint (G2) like every other: what applications and a Flyway run by hand connect as.
   */
  public Checked openEnvironmentCredential() throws SQLException {
    String expected = environment.fingerprint().orElseThrow(() -> noFingerprint());
    Connection c = connect(environmentUrl);
    try {
      return new Checked(c, FingerprintCheck.validateOwnState(c, dialect, name(), expected));
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private GuardRefusal noFingerprint() {
    return new GuardRefusal(
        Guarantee.G2,
        "connect to environment '" + name() + "'",
        "prodguard.yml has no fingerprint for '"
            + name()
            + "', so nothing can prove which database the URL leads to",
        "run 'prodguard init-fingerprint "
            + config.address(name())
            + "' and commit the fingerprint it prints");
  }

  private Connection connect(DatabaseUrl to) throws SQLException {
    Properties props = to.connectionProperties();
    if (!to.params().containsKey(dialect.connectTimeoutProperty())) {
      props.setProperty(
          dialect.connectTimeoutProperty(), dialect.connectTimeoutValue(CONNECT_TIMEOUT_SECONDS));
    }
    Connection c = dialect.driver().connect(to.jdbcUrl(), props);
    if (c == null) {
      throw new SQLException("the JDBC driver did not accept " + to.jdbcUrl());
    }
    return c;
  }
}
