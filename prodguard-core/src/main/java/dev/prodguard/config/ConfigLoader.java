package dev.prodguard.config;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Fingerprints;
import dev.prodguard.db.HostPattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Loads and validates {@code prodguard.yml} (DESIGN section 4). */
public final class ConfigLoader {
  public static final String DEFAULT_FILE = "prodguard.yml";

  private static final Pattern ENV_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(s|m|h|d)");

  private ConfigLoader() {}

  public static ProdguardConfig load(Path file) {
    return load(file, System.getenv());
  }

  /**
   * Loads {@code file}; {@code env} decides only the default {@code state-directory} (where local
   * state and backups go when prodguard.yml does not say), never a configured value.
   */
  public static ProdguardConfig load(Path file, Map<String, String> env) {
    YamlMap root = YamlMap.load(file);
    String f = root.file();

    // A configuration names at least one database: an environment, or a fleet of targets.
    Optional<YamlMap> envSection = root.map("environments");
    if (envSection.isEmpty() && !root.has("fleets")) {
      throw root.error(null, "'environments' is required (at least one)");
    }
    Map<String, EnvironmentConfig> environments = new LinkedHashMap<>();
    if (envSection.isPresent()) {
      YamlMap envs = envSection.get();
      for (Map.Entry<String, YamlMap> e : envs.children().entrySet()) {
        environments.put(e.getKey(), environment(e.getKey(), e.getValue(), envs));
      }
      if (environments.isEmpty()) {
        throw envs.error(null, "'environments' must define at least one environment");
      }
    }

    List<String> locations = List.of("db/migration");
    ProdguardConfig.Placeholders placeholders = ProdguardConfig.Placeholders.NONE;
    ProdguardConfig.Schemas schemas = ProdguardConfig.Schemas.NONE;
    Optional<List<String>> javaFolders = Optional.empty();
    Optional<YamlMap> migrations = root.map("migrations");
    if (migrations.isPresent()) {
      YamlMap m = migrations.get();
      Optional<List<YamlMap.Scalar>> locs = m.stringList("locations");
      if (locs.isPresent()) {
        if (locs.get().isEmpty()) {
          throw m.error("locations", "'migrations.locations' must name at least one folder");
        }
        locations = locs.get().stream().map(YamlMap.Scalar::value).toList();
      }
      placeholders = placeholders(m);
      schemas = schemas(m);
      Optional<List<YamlMap.Scalar>> java = m.stringList("java");
      if (java.isPresent()) {
        javaFolders = Optional.of(java.get().stream().map(YamlMap.Scalar::value).toList());
      }
      m.finish(
          "java",
          "locations",
          "placeholders",
          "placeholder-prefix",
          "placeholder-suffix",
          "schemas",
          "default-schema",
          "table");
    }

    Path base = file.toAbsolutePath().getParent();
    List<Path> javaMigrations = javaMigrationFolders(base, locations, javaFolders);
    Optional<YamlMap.Scalar> contractKey = root.string("contract");
    if (contractKey.isPresent() && contractKey.get().value().isBlank()) {
      throw root.error("contract", "'contract' must name a file (or be left out)");
    }
    Path contract =
        base.resolve(contractKey.map(YamlMap.Scalar::value).orElse("prodguard-contract.yml"));

    CiConfig ci = ci(root);
    ProdguardConfig.Pipeline pipeline = pipeline(root);
    Path state =
        root.string("state-directory")
            .map(v -> base.resolve(v.value()).normalize())
            .orElseGet(() -> StateDirectory.defaultFor(base, env));
    ProdguardConfig.Backup backup = backup(root, base, state);
    ProdguardConfig.Guards guards = guards(root);
    Map<String, FleetConfig> fleets = FleetConfigLoader.load(root, environments);
    ProdguardConfig.Trace trace = trace(root);
    root.finish(
        "trace",
        "environments",
        "migrations",
        "contract",
        "ci",
        "pipeline",
        "backup",
        "guards",
        "fleets",
        "state-directory");
    return new ProdguardConfig(
        file,
        environments,
        locations,
        contract,
        contractKey.isPresent(),
        ci,
        pipeline,
        backup,
        guards,
        fleets,
        placeholders,
        schemas,
        state,
        trace,
        javaMigrations);
  }

  /**
   * {@code migrations.java}: the folders given (relative to prodguard.yml); left out, where Flyway
   * itself finds Java migrations of a Maven or Gradle project: the package of each {@code
   * classpath:X} location, {@code src/main/java/X} and {@code src/main/kotlin/X}, where they exist.
   */
  private static List<Path> javaMigrationFolders(
      Path base, List<String> locations, Optional<List<String>> given) {
    if (given.isPresent()) {
      return given.get().stream().map(v -> base.resolve(v).normalize()).toList();
    }
    List<Path> out = new java.util.ArrayList<>();
    for (String location : locations) {
      if (location.startsWith("classpath:")) {
        String pkg = location.substring("classpath:".length()).replaceFirst("^/+", "");
        for (String root : List.of("src/main/java", "src/main/kotlin")) {
          Path dir = base.resolve(root).resolve(pkg).normalize();
          if (java.nio.file.Files.isDirectory(dir)) {
            out.add(dir);
          }
        }
        continue;
      }
      // a folder in a module's resources (src/main/resources/db/migration, also written
      // filesystem:...) is the classpath location of that package: the same Java folders as
      // classpath:db/migration (attacker 20/07)
      String folder = location.startsWith("filesystem:") ? location.substring(11) : location;
      String path = base.resolve(folder).normalize().toString().replace('\\', '/');
      int at = path.lastIndexOf("/src/main/resources/");
      if (at < 0) {
        continue;
      }
      String module = path.substring(0, at);
      String pkg = path.substring(at + "/src/main/resources/".length());
      for (String root : List.of("src/main/java", "src/main/kotlin")) {
        Path dir = Path.of(module).resolve(root).resolve(pkg).normalize();
        if (java.nio.file.Files.isDirectory(dir) && !out.contains(dir)) {
          out.add(dir);
        }
      }
    }
    return out;
  }

  /**
   * {@code trace:}: {@code verify: protected|on|off}, {@code scratch: embedded|URL}, {@code
   * binaries-repository: https://...} (docs/trace.md).
   */
  private static ProdguardConfig.Trace trace(YamlMap root) {
    Optional<YamlMap> t = root.map("trace");
    if (t.isEmpty()) {
      return ProdguardConfig.Trace.DEFAULT;
    }
    YamlMap m = t.get();
    ProdguardConfig.TraceInVerify verify = ProdguardConfig.TraceInVerify.PROTECTED;
    Optional<YamlMap.Scalar> v = m.string("verify");
    if (v.isPresent()) {
      verify =
          switch (v.get().value()) {
            case "protected" -> ProdguardConfig.TraceInVerify.PROTECTED;
            case "on" -> ProdguardConfig.TraceInVerify.ON;
            case "off" -> ProdguardConfig.TraceInVerify.OFF;
            default ->
                throw m.error(
                    "verify",
                    "trace.verify must be 'protected' (trace in verify of protected environments,"
                        + " the default), 'on' or 'off'");
          };
    }
    Optional<ConfigValue> scratch = Optional.empty();
    Optional<YamlMap.Scalar> s = m.string("scratch");
    if (s.isPresent() && !s.get().value().equals("embedded")) {
      ConfigValue url = ConfigValue.of(s.get(), m.file());
      if (url.variables().isEmpty()) {
        url.databaseUrl(Map.of()); // a literal URL parses now; trace checks it is PostgreSQL
      }
      scratch = Optional.of(url);
    }
    java.net.URI repository = ProdguardConfig.Trace.MAVEN_CENTRAL;
    Optional<YamlMap.Scalar> r = m.string("binaries-repository");
    if (r.isPresent()) {
      String value = r.get().value().endsWith("/") ? r.get().value() : r.get().value() + "/";
      try {
        repository = new java.net.URI(value);
      } catch (java.net.URISyntaxException e) {
        throw m.error("binaries-repository", "not a URL: " + e.getMessage());
      }
      if (!("https".equals(repository.getScheme()) || "http".equals(repository.getScheme()))
          || repository.getHost() == null
          || repository.getUserInfo() != null) {
        throw m.error(
            "binaries-repository",
            "an http(s) URL of a Maven repository without credentials, e.g."
                + " https://repo.maven.apache.org/maven2/ or your mirror of it");
      }
    }
    m.finish("verify", "scratch", "binaries-repository");
    return new ProdguardConfig.Trace(verify, scratch, repository);
  }

  private static final java.util.regex.Pattern SCHEMA_NAME =
      java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  /**
   * {@code migrations.schemas} (a list) and {@code migrations.default-schema}: plain identifiers
   * (letters, digits, underscore), used exactly as written, as Flyway quotes them.
   */
  private static ProdguardConfig.Schemas schemas(YamlMap m) {
    List<String> list = new java.util.ArrayList<>();
    Optional<List<YamlMap.Scalar>> given = m.stringList("schemas");
    if (given.isPresent()) {
      if (given.get().isEmpty()) {
        throw m.error(
            "schemas", "'migrations.schemas' must name at least one schema (or be left out)");
      }
      for (YamlMap.Scalar s : given.get()) {
        list.add(schemaName(m, "schemas", s.value()));
      }
    }
    Optional<String> def =
        m.string("default-schema").map(s -> schemaName(m, "default-schema", s.value()));
    // Flyway's `table` (flyway.table, spring.flyway.table): the history table's name, a plain
    // identifier as for the schemas (it goes into SQL and the G6 guard's triggers)
    String table =
        m.string("table")
            .map(s -> schemaName(m, "table", s.value()))
            .orElse(ProdguardConfig.Schemas.DEFAULT_TABLE);
    return new ProdguardConfig.Schemas(list, def, table);
  }

  private static String schemaName(YamlMap m, String key, String name) {
    if (!SCHEMA_NAME.matcher(name).matches()) {
      throw m.error(
          key,
          "'"
              + name
              + "' is not a plain "
              + (key.equals("table") ? "table" : "schema")
              + " name: use letters, digits and underscores (up to 63),"
              + " starting with a letter or underscore");
    }
    return name;
  }

  /**
   * {@code migrations.placeholders} (Flyway's placeholders: name to value, a value may read {@code
   * ${VAR}}), {@code migrations.placeholder-prefix} and {@code -suffix} (Flyway's {@code
   * placeholderPrefix}/{@code placeholderSuffix}, default {@code ${} and <code>}</code>).
   */
  private static ProdguardConfig.Placeholders placeholders(YamlMap m) {
    String prefix = m.string("placeholder-prefix").map(YamlMap.Scalar::value).orElse("${");
    String suffix = m.string("placeholder-suffix").map(YamlMap.Scalar::value).orElse("}");
    if (prefix.isEmpty()) {
      throw m.error("placeholder-prefix", "the placeholder prefix must not be empty");
    }
    if (suffix.isEmpty()) {
      throw m.error("placeholder-suffix", "the placeholder suffix must not be empty");
    }
    Map<String, ConfigValue> values = new LinkedHashMap<>();
    Optional<YamlMap> p = m.map("placeholders");
    if (p.isPresent()) {
      YamlMap ph = p.get();
      Map<String, String> seen = new LinkedHashMap<>();
      for (String name : ph.keys()) {
        if (name.isEmpty()
            || name.contains(prefix)
            || name.contains(suffix)
            || name.toLowerCase(java.util.Locale.ROOT).startsWith("flyway:")) {
          throw ph.error(
              name,
              "'"
                  + name
                  + "' cannot be a placeholder name: names are not empty, hold neither the prefix"
                  + " nor the suffix, and 'flyway:' is Flyway's own (built-in placeholders)");
        }
        String other = seen.put(name.toLowerCase(java.util.Locale.ROOT), name);
        if (other != null) {
          throw ph.error(
              name,
              "placeholders '"
                  + other
                  + "' and '"
                  + name
                  + "' are one placeholder for Flyway (names are case-insensitive)");
        }
        YamlMap.Scalar value =
            ph.scalar(name)
                .orElseThrow(() -> ph.error(name, "placeholder '" + name + "' needs a value"));
        values.put(name, ConfigValue.of(value, ph.file()));
      }
      ph.finish();
    }
    return new ProdguardConfig.Placeholders(prefix, suffix, values);
  }

  private static EnvironmentConfig environment(String name, YamlMap m, YamlMap parent) {
    if (!ENV_NAME.matcher(name).matches()) {
      throw parent.error(
          name, "environment names are lower-case letters, digits, '-' and '_', e.g. 'prod'");
    }
    ConfigValue url = ConfigValue.of(m.requiredString("url"), m.file());
    Optional<DatabaseKind> database = Optional.empty();
    Optional<YamlMap.Scalar> db = m.string("database");
    if (db.isPresent()) {
      YamlMap.Scalar named = db.get();
      database =
          Optional.of(
              DatabaseKind.fromConfigName(named.value())
                  .orElseThrow(
                      () ->
                          new ConfigException(
                              m.file(),
                              named.line(),
                              named.key(),
                              "database must be 'postgresql' or 'mariadb' (alias 'mysql')")));
    }
    if (url.variables().isEmpty()) {
      DatabaseKind literal = url.databaseUrl(Map.of()).kind(); // a literal URL parses now
      if (database.isPresent() && database.get() != literal) {
        throw new ConfigException(
            m.file(),
            db.get().line(),
            db.get().key(),
            "database says "
                + db.get().value()
                + " but the url is a "
                + ServerKind.label(literal)
                + " URL: fix one of them");
      }
    }
    Optional<ConfigValue> deployUrl = m.string("deploy-url").map(s -> ConfigValue.of(s, m.file()));
    if (deployUrl.isPresent()
        && deployUrl.get().variables().isEmpty()
        && url.variables().isEmpty()
        && deployUrl.get().databaseUrl(Map.of()).kind() != url.databaseUrl(Map.of()).kind()) {
      throw m.error("deploy-url", "'deploy-url' must lead to the same kind of server as 'url'");
    }
    Optional<String> fingerprint = m.string("fingerprint").map(YamlMap.Scalar::value);
    if (fingerprint.isPresent() && !Fingerprints.valid(name, fingerprint.get())) {
      throw m.error(
          "fingerprint",
          "fingerprint '"
              + fingerprint.get()
              + "' is malformed: expected '"
              + name
              + "-' followed by 16 to 64 lower-case hex digits, as printed by"
              + " 'prodguard init-fingerprint "
              + name
              + "'");
    }
    boolean prot = m.bool("protected").orElse(false);
    List<String> hosts = new ArrayList<>();
    for (YamlMap.Scalar h : m.stringList("hosts").orElse(List.of())) {
      if (!HostPattern.isValid(h.value())) {
        throw new ConfigException(
            m.file(), h.line(), h.key(), "'" + h.value() + "' is not a host name pattern");
      }
      hosts.add(h.value());
    }
    m.finish("url", "deploy-url", "fingerprint", "protected", "hosts", "database");
    return new EnvironmentConfig(
        name, url, deployUrl, fingerprint, prot, hosts, database, m.file(), m.line());
  }

  private static CiConfig ci(YamlMap root) {
    Optional<YamlMap> section = root.map("ci");
    if (section.isEmpty()) {
      return new CiConfig(CiConfig.Mode.ENV, Optional.empty());
    }
    YamlMap ci = section.get();
    YamlMap.Scalar mode =
        ci.string("mode").orElse(new YamlMap.Scalar("env", ci.line(), ci.qualify("mode")));
    CiConfig.Mode parsed;
    switch (mode.value()) {
      case "env" -> parsed = CiConfig.Mode.ENV;
      case "oidc" -> parsed = CiConfig.Mode.OIDC;
      default ->
          throw new ConfigException(
              ci.file(), mode.line(), mode.key(), "ci.mode must be 'oidc' or 'env'");
    }
    Optional<CiConfig.Oidc> oidc = Optional.empty();
    Optional<YamlMap> o = ci.map("oidc");
    if (o.isPresent()) {
      oidc = Optional.of(oidc(o.get()));
    }
    if (parsed == CiConfig.Mode.OIDC && oidc.isEmpty()) {
      throw ci.error("mode", "ci.mode is 'oidc' but there is no 'ci.oidc' section");
    }
    ci.finish("mode", "oidc");
    return new CiConfig(parsed, oidc);
  }

  private static CiConfig.Oidc oidc(YamlMap o) {
    String issuer = o.requiredString("issuer").value();
    String audience = o.requiredString("audience").value();
    YamlMap.Scalar jwks = o.requiredString("jwks");
    if (!jwks.value().startsWith("file:") && !jwks.value().startsWith("https://")) {
      throw new ConfigException(
          o.file(), jwks.line(), jwks.key(), "jwks must be a 'file:' path or an https:// URL");
    }
    Map<String, String> claims = stringMap(o, "claims");
    Map<String, String> patterns = stringMap(o, "claim-patterns");
    Optional<String> tokenVariable = o.string("token-variable").map(YamlMap.Scalar::value);
    Duration skew =
        o.string("clock-skew")
            .map(s -> duration(o, "clock-skew", s))
            .orElse(Duration.ofSeconds(60));
    if (skew.compareTo(Duration.ofMinutes(5)) > 0) {
      throw o.error("clock-skew", "clock-skew may be at most 5m");
    }
    o.finish(
        "issuer", "audience", "jwks", "claims", "claim-patterns", "token-variable", "clock-skew");
    return new CiConfig.Oidc(issuer, audience, jwks.value(), claims, patterns, tokenVariable, skew);
  }

  private static Map<String, String> stringMap(YamlMap parent, String key) {
    Map<String, String> out = new LinkedHashMap<>();
    Optional<YamlMap> m = parent.map(key);
    if (m.isPresent()) {
      for (String k : m.get().keys()) {
        out.put(k, m.get().requiredString(k).value());
      }
      m.get().finish();
    }
    return out;
  }

  private static ProdguardConfig.Pipeline pipeline(YamlMap root) {
    Duration verification = Duration.ofMinutes(30);
    Duration backup = Duration.ofMinutes(60);
    Duration lockWait = ProdguardConfig.Pipeline.DEFAULT_LOCK_WAIT_TIMEOUT;
    ProdguardConfig.MigrationSessions sessions = ProdguardConfig.MigrationSessions.NONE;
    Optional<YamlMap> p = root.map("pipeline");
    if (p.isPresent()) {
      YamlMap m = p.get();
      verification =
          m.string("verification-ttl")
              .map(s -> duration(m, "verification-ttl", s))
              .orElse(verification);
      backup = m.string("backup-ttl").map(s -> duration(m, "backup-ttl", s)).orElse(backup);
      lockWait =
          m.string("lock-wait-timeout")
              .map(s -> duration(m, "lock-wait-timeout", s))
              .orElse(lockWait);
      sessions = migrationSessions(m);
      m.finish(
          "verification-ttl",
          "backup-ttl",
          "lock-wait-timeout",
          "lock-timeout",
          "statement-timeout",
          "lock-retries");
    }
    return new ProdguardConfig.Pipeline(verification, backup, lockWait, sessions);
  }

  /** {@code pipeline.lock-timeout}, {@code statement-timeout}, {@code lock-retries} (0..10). */
  private static ProdguardConfig.MigrationSessions migrationSessions(YamlMap m) {
    Optional<Duration> lock = m.string("lock-timeout").map(s -> shortDuration(m, s));
    Optional<Duration> statement = m.string("statement-timeout").map(s -> shortDuration(m, s));
    long retries =
        m.integer("lock-retries")
            .orElse((long) ProdguardConfig.MigrationSessions.DEFAULT_LOCK_RETRIES);
    if (retries < 0 || retries > 10) {
      throw m.error("lock-retries", "lock-retries must be between 0 and 10");
    }
    if (m.has("lock-retries") && lock.isEmpty()) {
      throw m.error(
          "lock-retries",
          "lock-retries needs pipeline.lock-timeout: without it a lock wait does not end, so"
              + " there is nothing to retry");
    }
    return new ProdguardConfig.MigrationSessions(lock, statement, (int) retries);
  }

  private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");

  /** {@code 500ms}, {@code 5s}, {@code 2m}: positive, at most one day. */
  static Duration shortDuration(YamlMap m, YamlMap.Scalar s) {
    Matcher d = SHORT_DURATION.matcher(s.value());
    if (!d.matches()) {
      throw new ConfigException(
          m.file(), s.line(), s.key(), "expected a duration like 500ms, 5s or 2m");
    }
    long n = Long.parseLong(d.group(1));
    Duration out =
        switch (d.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          default -> Duration.ofMinutes(n);
        };
    if (out.isZero() || out.compareTo(Duration.ofDays(1)) > 0) {
      throw new ConfigException(
          m.file(), s.line(), s.key(), "a timeout must be positive and at most a day");
    }
    return out;
  }

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private static ProdguardConfig.Backup backup(YamlMap root, Path base, Path state) {
    Path dir = state.resolve("backups");
    boolean restoreCheck = false;
    Optional<ProdguardConfig.S3> s3 = Optional.empty();
    Optional<YamlMap> b = root.map("backup");
    if (b.isPresent()) {
      YamlMap m = b.get();
      dir = m.string("directory").map(s -> base.resolve(s.value())).orElse(dir);
      restoreCheck = m.bool("restore-check").orElse(false);
      String store = m.string("store").map(YamlMap.Scalar::value).orElse("local");
      Optional<YamlMap> s3map = m.map("s3");
      switch (store) {
        case "local" -> {
          if (s3map.isPresent()) {
            throw m.error(
                "s3",
                "'backup.s3' is set but 'backup.store' is 'local': set 'store: s3' to keep"
                    + " backups in object storage, or remove 'backup.s3'");
          }
        }
        case "s3" ->
            s3 =
                Optional.of(
                    s3(
                        s3map.orElseThrow(
                            () ->
                                m.error(
                                    "store",
                                    "'store: s3' needs 'backup.s3' with at least 'bucket'"))));
        default -> throw m.error("store", "must be 'local' or 's3', not '" + store + "'");
      }
      m.finish("directory", "restore-check", "store", "s3");
    }
    return new ProdguardConfig.Backup(dir, restoreCheck, s3);
  }

  private static ProdguardConfig.S3 s3(YamlMap m) {
    YamlMap.Scalar bucket = m.requiredString("bucket");
    if (!BUCKET.matcher(bucket.value()).matches()) {
      throw m.error(
          "bucket", "'" + bucket.value() + "' is not an S3 bucket name (3-63 of a-z 0-9 . -)");
    }
    String prefix = m.string("prefix").map(YamlMap.Scalar::value).orElse("");
    if (prefix.startsWith("/") || prefix.contains("..") || prefix.contains("\\")) {
      throw m.error("prefix", "a key prefix like 'prodguard/shop/' (no leading '/', no '..')");
    }
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    Optional<java.net.URI> endpoint = Optional.empty();
    Optional<YamlMap.Scalar> e = m.string("endpoint");
    if (e.isPresent()) {
      java.net.URI uri;
      try {
        uri = new java.net.URI(e.get().value());
      } catch (java.net.URISyntaxException x) {
        throw m.error("endpoint", "not a URL: " + x.getMessage());
      }
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getUserInfo() != null) {
        throw m.error(
            "endpoint",
            "an http(s) URL without credentials, e.g. https://minio.internal:9000 (credentials"
                + " come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)");
      }
      endpoint = Optional.of(uri);
    }
    Optional<String> region = m.string("region").map(YamlMap.Scalar::value);
    boolean pathStyle = m.bool("path-style").orElse(endpoint.isPresent());
    m.finish("bucket", "prefix", "endpoint", "region", "path-style");
    return new ProdguardConfig.S3(bucket.value(), prefix, endpoint, region, pathStyle);
  }

  private static ProdguardConfig.Guards guards(YamlMap root) {
    Optional<YamlMap> g = root.map("guards");
    if (g.isEmpty()) {
      return ProdguardConfig.Guards.DEFAULT;
    }
    YamlMap m = g.get();
    boolean requireDdlTrigger = m.bool("require-ddl-trigger").orElse(false);
    m.finish("require-ddl-trigger");
    return new ProdguardConfig.Guards(requireDdlTrigger);
  }

  static Duration duration(YamlMap m, String key, YamlMap.Scalar s) {
    Matcher d = DURATION.matcher(s.value());
    if (!d.matches()) {
      throw new ConfigException(
          m.file(), s.line(), s.key(), "expected a duration like 90s, 30m, 2h or 1d");
    }
    long n = Long.parseLong(d.group(1));
    Duration out =
        switch (d.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    if (out.isZero()) {
      throw new ConfigException(m.file(), s.line(), s.key(), "a duration must be positive");
    }
    return out;
  }
}
