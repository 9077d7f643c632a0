package dev.prodguard.spring;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ConfigLoader;
import dev.prodguard.config.EnvironmentConfig;
import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import dev.prodguard.environment.UrlRule;
import dev.prodguard.jdbc.GuardedDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;

/**
 * What the application is (its environment of {@code prodguard.yml}) and the guards it is held to,
 * decided once, before any bean touches a database: reads {@code prodguard.config} and {@code
 * prodguard.environment}, loads prodguard.yml with core's loader (the CLI's own errors, with file,
 * line and key), refuses schema generation at start-up on a protected environment, and checks every
 * configured URL against G3. Then wraps each DataSource in a {@link GuardedDataSource} (G2).
 *
 * <p>The application is entitled to its own environment's database without CI (it is the production
 * service); it is refused any other environment's database: by host pattern and by same-database
 * before a socket opens (G3, {@link UrlRule#otherEnvironments}), by fingerprint before the first
 * statement (G2).
 */
public final class ApplicationGuard {
  public static final String ENVIRONMENT_PROPERTY = "prodguard.environment";
  public static final String CONFIG_PROPERTY = "prodguard.config";
  public static final String DEFAULT_FILE = "prodguard.yml";

  /** Boot properties holding a URL that Boot connects to on its own; judged before any bean. */
  private static final List<String> URL_PROPERTIES =
      List.of("spring.datasource.url", "spring.flyway.url", "spring.liquibase.url");

  private static final Log LOG = LogFactory.getLog(ApplicationGuard.class);

  private final ProdguardConfig config;
  private final EnvironmentConfig environment;
  private final String fingerprint;
  private final RunContext context;

  /**
   * Why the guard cannot judge a database yet ({@code prodguard.environment} unset), thrown for the
   * first DataSource that is not an in-memory embedded one; null when the environment is known.
   */
  private final ConfigException unresolved;

  private final Set<DataSource> guarded = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Set<DataSource> stoodDown = Collections.newSetFromMap(new IdentityHashMap<>());

  ApplicationGuard(
      ProdguardConfig config, EnvironmentConfig environment, String fingerprint, RunContext ctx) {
    this(config, environment, fingerprint, ctx, null);
  }

  private ApplicationGuard(
      ProdguardConfig config,
      EnvironmentConfig environment,
      String fingerprint,
      RunContext ctx,
      ConfigException unresolved) {
    this.config = config;
    this.environment = environment;
    this.fingerprint = fingerprint;
    this.context = ctx;
    this.unresolved = unresolved;
  }

  /**
   * Reads the configuration and runs the start-up checks that need no database. A URL property
   * naming an in-memory embedded database ({@link EmbeddedDatabases}) is not judged here: the guard
   * stands down for the DataSource built on it. {@code prodguard.environment} unset is refused here
   * when a URL property names any other database, else as soon as a DataSource that is not in
   * memory appears ({@link #checkDataSource}), or at the end of the start-up when none stood down
   * ({@link #requireJudged}).
   *
   * @throws ConfigException prodguard.yml missing or malformed, unknown {@code prodguard.*} key,
   *     {@code prodguard.environment} not an environment of prodguard.yml, or unset while a URL
   *     property names a database that is not in memory
   * @throws GuardRefusal G2 (the environment has no fingerprint), G3 (a configured URL leads to
   *     another environment's database), G6 (schema generation at start-up of a protected
   *     environment)
   */
  public static ApplicationGuard load(Environment env) {
    unknownKeys(env);
    Path file = configFile(env);
    ProdguardConfig config = ConfigLoader.load(file);
    String name = env.getProperty(ENVIRONMENT_PROPERTY);
    if (name == null || name.isBlank()) {
      ConfigException unset =
          new ConfigException(
              (String) null,
              0,
              ENVIRONMENT_PROPERTY,
              "prodguard.environment is not set: which environment of "
                  + file
                  + " is this application? (defined: "
                  + String.join(", ", config.environments().keySet())
                  + "); set it per deployment, e.g. PRODGUARD_ENVIRONMENT=prod");
      for (String property : URL_PROPERTIES) {
        if (judgedHere(env, property)) {
          throw unset;
        }
      }
      return new ApplicationGuard(config, null, null, context(env, config), unset);
    }
    EnvironmentConfig environment = config.environment(name.trim());
    String fingerprint =
        environment
            .fingerprint()
            .orElseThrow(
                () ->
                    new GuardRefusal(
                        Guarantee.G2,
                        "start the application as environment '" + environment.name() + "'",
                        "prodguard.yml gives '"
                            + environment.name()
                            + "' no fingerprint: the application could not tell its database"
                            + " from any other",
                        "run 'prodguard init-fingerprint "
                            + environment.name()
                            + " --write-config' (from CI for a protected environment) and commit"
                            + " the fingerprint"));
    ApplicationGuard guard =
        new ApplicationGuard(config, environment, fingerprint, context(env, config));
    if (environment.isProtected()) {
      SchemaGeneration.refuseOnProtected(env, environment.name());
    }
    for (String property : URL_PROPERTIES) {
      if (judgedHere(env, property)) {
        guard.checkUrl(env.getProperty(property), property);
      }
    }
    return guard;
  }

  /**
   * Whether URL property {@code property} is judged before any bean: set, not in memory, and not
   * {@code spring.datasource.url} while a test substitutes the DataSource (the DataSource actually
   * built is judged instead, as every DataSource bean is).
   */
  private static boolean judgedHere(Environment env, String property) {
    String url = env.getProperty(property);
    if (url == null || url.isBlank() || EmbeddedDatabases.isInMemoryUrl(url)) {
      return false;
    }
    return !(property.equals("spring.datasource.url")
        && EmbeddedDatabases.testReplacesDataSource(
            env.getProperty(EmbeddedDatabases.TEST_REPLACE_PROPERTY)));
  }

  /**
   * Whether the starter stands down for {@code ds}: an in-memory embedded database, which lives in
   * this process and cannot be any environment's database. It is neither checked nor wrapped, and
   * Flyway on it runs as Spring Boot runs it. The first time, one INFO line says so.
   */
  public boolean standsDownFor(DataSource ds) {
    if (ds == null) {
      return false;
    }
    synchronized (this) {
      if (stoodDown.contains(ds)) {
        return true;
      }
      if (guarded.contains(ds)) {
        return false;
      }
    }
    var url = EmbeddedDatabases.inMemoryUrl(ds, new BeanWrapperFactory());
    if (url.isEmpty()) {
      return false;
    }
    boolean first;
    synchronized (this) {
      first = stoodDown.isEmpty();
      stoodDown.add(ds);
    }
    if (first) {
      LOG.info(
          "prodguard stands down for this application's DataSource ("
              + EmbeddedDatabases.shown(url.get())
              + "): an in-memory embedded database lives in this process and cannot be any"
              + " environment's database, so it is not guarded and Flyway migrates it as Spring"
              + " Boot does (docs/spring-boot.md)");
    }
    return true;
  }

  /**
   * Whether the environment is known; false only while {@code prodguard.environment} is unset and
   * every DataSource seen so far is an in-memory embedded one.
   */
  public boolean isResolved() {
    return unresolved == null;
  }

  /**
   * At the end of the start-up: an application whose environment is unset passes only when it stood
   * down for an in-memory database (otherwise {@code prodguard.environment} unset is refused, as
   * before any bean).
   *
   * @throws ConfigException {@code prodguard.environment} unset and nothing stood down
   */
  public synchronized void requireJudged() {
    if (unresolved != null && stoodDown.isEmpty()) {
      throw unresolved;
    }
  }

  private void requireResolved() {
    if (unresolved != null) {
      throw unresolved;
    }
  }

  /**
   * @throws ConfigException {@code prodguard.environment} unset (see {@link #isResolved})
   */
  public String environment() {
    requireResolved();
    return environment.name();
  }

  /**
   * @throws ConfigException {@code prodguard.environment} unset (see {@link #isResolved})
   */
  public boolean isProtected() {
    requireResolved();
    return environment.isProtected();
  }

  /**
   * @throws ConfigException {@code prodguard.environment} unset (see {@link #isResolved})
   */
  public String fingerprint() {
    requireResolved();
    return fingerprint;
  }

  public Path configFile() {
    return config.file();
  }

  /** The history table prodguard reads and guards: {@code migrations.table} of prodguard.yml. */
  public String historyTable() {
    return config.schemas().table();
  }

  /** Whether {@code ds} is a wrapper this guard made. */
  public synchronized boolean isGuarded(DataSource ds) {
    return guarded.contains(ds);
  }

  /** How many DataSources this guard wrapped. */
  public synchronized int guardedCount() {
    return guarded.size();
  }

  /**
   * G3 for one DataSource, before it can open a socket: its URL (read from the pool) must not lead
   * to another environment's database. A DataSource that does not tell its URL is refused: G3
   * cannot vouch for it. An in-memory embedded database is not checked ({@link #standsDownFor}).
   */
  public void checkDataSource(DataSource ds, String label) {
    if (isGuarded(ds) || standsDownFor(ds)) {
      return;
    }
    requireResolved();
    String url = DataSourceUrls.find(ds, new BeanWrapperFactory());
    if (url == null) {
      throw new GuardRefusal(
          Guarantee.G3,
          "use " + label + " as environment '" + environment.name() + "'",
          "its URL cannot be read ("
              + ds.getClass().getName()
              + " has no jdbcUrl or url property), so prodguard cannot tell, before it connects,"
              + " whether it leads to another environment's database",
          "let Spring Boot build the pool from spring.datasource.url, or use a pool that exposes"
              + " getJdbcUrl() or getUrl() (HikariCP, the drivers' own data sources)");
    }
    checkUrl(url, label);
  }

  /**
   * Wraps {@code ds} so that each new physical connection passes G2 before anyone uses it; an
   * in-memory embedded database is returned as it is ({@link #standsDownFor}).
   */
  public DataSource guard(DataSource ds) {
    if (standsDownFor(ds)) {
      return ds;
    }
    return wrap(ds);
  }

  private synchronized DataSource wrap(DataSource ds) {
    if (guarded.contains(ds)) {
      return ds;
    }
    requireResolved();
    GuardedDataSource g = new GuardedDataSource(ds, environment.name(), fingerprint);
    guarded.add(g);
    return g;
  }

  void checkUrl(String url, String source) {
    DatabaseUrl parsed;
    try {
      parsed = DatabaseUrl.parse(url);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          (String) null,
          0,
          source,
          source
              + " is not a URL prodguard can vouch for: "
              + e.getMessage()
              + " (prodguard guards PostgreSQL and MySQL/MariaDB URLs, read exactly one way)");
    }
    try {
      UrlRule.otherEnvironments(config, environment, parsed, context);
    } catch (GuardRefusal r) {
      throw new GuardRefusal(
          r.guarantee(),
          "connect " + source + " as environment '" + environment.name() + "'",
          r.why(),
          r.fix(),
          r);
    }
  }

  /** The variables prodguard.yml's URLs name, as the Spring Environment resolves them. */
  private static RunContext context(Environment env, ProdguardConfig config) {
    Map<String, String> vars = new HashMap<>();
    for (EnvironmentConfig e : config.environments().values()) {
      for (String v : e.urlVariables()) {
        String value = env.getProperty(v);
        if (value != null) {
          vars.put(v, value);
        }
      }
    }
    String ci = env.getProperty("CI");
    if (ci != null) {
      vars.put("CI", ci);
    }
    return RunContext.of(vars);
  }

  private static Path configFile(Environment env) {
    String configured = env.getProperty(CONFIG_PROPERTY);
    Path p = Path.of(configured == null || configured.isBlank() ? DEFAULT_FILE : configured.trim());
    if (Files.isDirectory(p)) {
      p = p.resolve(DEFAULT_FILE);
    }
    if (!Files.isRegularFile(p)) {
      throw new ConfigException(
          (String) null,
          0,
          CONFIG_PROPERTY,
          "no prodguard.yml at "
              + p.toAbsolutePath()
              + ": set prodguard.config to the file (or its folder); the default is the working"
              + " directory");
    }
    return p;
  }

  private static void unknownKeys(Environment env) {
    if (!(env instanceof ConfigurableEnvironment c)) {
      return;
    }
    List<String> unknown = new ArrayList<>();
    for (var source : c.getPropertySources()) {
      if (source instanceof EnumerablePropertySource<?> e) {
        for (String name : e.getPropertyNames()) {
          String n = name.toLowerCase(Locale.ROOT);
          if (n.startsWith("prodguard.")
              && !n.equals(ENVIRONMENT_PROPERTY)
              && !n.equals(CONFIG_PROPERTY)) {
            unknown.add(name + " (" + source.getName() + ")");
          }
        }
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException(
          (String) null,
          0,
          unknown.get(0).replaceFirst(" .*", ""),
          "unknown prodguard propert"
              + (unknown.size() == 1 ? "y " : "ies ")
              + String.join(", ", unknown)
              + ": the starter knows prodguard.environment and prodguard.config; everything else"
              + " is in prodguard.yml");
    }
  }

  /** Indirection so {@link DataSourceUrls} stays testable without Spring's BeanWrapper. */
  static final class BeanWrapperFactory {
    Object read(Object bean, String property) {
      BeanWrapperImpl w = new BeanWrapperImpl(bean);
      if (!w.isReadableProperty(property)) {
        return null;
      }
      try {
        return w.getPropertyValue(property);
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
