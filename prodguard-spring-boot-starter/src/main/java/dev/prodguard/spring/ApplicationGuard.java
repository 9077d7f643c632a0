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

  private final ProdguardConfig config;
  private final EnvironmentConfig environment;
  private final String fingerprint;
  private final RunContext context;
  private final Set<DataSource> guarded = Collections.newSetFromMap(new IdentityHashMap<>());

  ApplicationGuard(
      ProdguardConfig config, EnvironmentConfig environment, String fingerprint, RunContext ctx) {
    this.config = config;
    this.environment = environment;
    this.fingerprint = fingerprint;
    this.context = ctx;
  }

  /**
   * Reads the configuration and runs the start-up checks that need no database.
   *
   * @throws ConfigException prodguard.yml missing or malformed, unknown {@code prodguard.*} key,
   *     {@code prodguard.environment} unset or not an environment of prodguard.yml
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
      throw new ConfigException(
          (String) null,
          0,
          ENVIRONMENT_PROPERTY,
          "prodguard.environment is not set: which environment of "
              + file
              + " is this application? (defined: "
              + String.join(", ", config.environments().keySet())
              + "); set it per deployment, e.g. PRODGUARD_ENVIRONMENT=prod");
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
      String url = env.getProperty(property);
      if (url != null && !url.isBlank()) {
        guard.checkUrl(url, property);
      }
    }
    return guard;
  }

  public String environment() {
    return environment.name();
  }

  public boolean isProtected() {
    return environment.isProtected();
  }

  public String fingerprint() {
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
   * cannot vouch for it.
   */
  public void checkDataSource(DataSource ds, String label) {
    if (isGuarded(ds)) {
      return;
    }
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

  /** Wraps {@code ds} so that each new physical connection passes G2 before anyone uses it. */
  public synchronized DataSource guard(DataSource ds) {
    if (guarded.contains(ds)) {
      return ds;
    }
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
