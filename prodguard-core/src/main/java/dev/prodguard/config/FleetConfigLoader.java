package dev.prodguard.config;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Fingerprints;
import dev.prodguard.db.HostPattern;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code fleets:} of prodguard.yml into {@link FleetConfig}s (DESIGN section 12). */
final class FleetConfigLoader {
  /** Target ids are environment names: they prefix the fingerprint and name runs and audit. */
  static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

  private static final Pattern THRESHOLD = Pattern.compile("(\\d{1,6})(%?)");
  private static final int MAX_PARALLEL = 64;

  private FleetConfigLoader() {}

  static Map<String, FleetConfig> load(YamlMap root, Map<String, EnvironmentConfig> environments) {
    Map<String, FleetConfig> out = new LinkedHashMap<>();
    Optional<YamlMap> section = root.map("fleets");
    if (section.isEmpty()) {
      return out;
    }
    Set<String> ids = new HashSet<>();
    for (Map.Entry<String, YamlMap> e : section.get().children().entrySet()) {
      if (!ID.matcher(e.getKey()).matches()) {
        throw section
            .get()
            .error(e.getKey(), "fleet names are lower-case letters, digits, '-' and '_'");
      }
      FleetConfig f = fleet(e.getKey(), e.getValue(), environments);
      for (FleetConfig.Target t : f.targets()) {
        if (!ids.add(t.id())) {
          throw new ConfigException(
              t.file(),
              t.line(),
              "fleets." + f.name() + ".targets",
              "target '" + t.id() + "' is listed twice (a database belongs to one fleet, once)");
        }
      }
      out.put(e.getKey(), f);
    }
    return out;
  }

  private static FleetConfig fleet(
      String name, YamlMap m, Map<String, EnvironmentConfig> environments) {
    boolean prot = m.bool("protected").orElse(true);
    List<String> hosts = new ArrayList<>();
    for (YamlMap.Scalar h : m.stringList("hosts").orElse(List.of())) {
      if (!HostPattern.isValid(h.value())) {
        throw new ConfigException(
            m.file(), h.line(), h.key(), "'" + h.value() + "' is not a host name pattern");
      }
      hosts.add(h.value());
    }
    Optional<DatabaseKind> database = Optional.empty();
    Optional<YamlMap.Scalar> db = m.string("database");
    if (db.isPresent()) {
      database =
          Optional.of(
              DatabaseKind.fromConfigName(db.get().value())
                  .orElseThrow(
                      () ->
                          new ConfigException(
                              m.file(),
                              db.get().line(),
                              db.get().key(),
                              "database must be 'postgresql' or 'mariadb' (alias 'mysql')")));
    }
    List<String> waves = new ArrayList<>();
    for (YamlMap.Scalar w : m.stringList("waves").orElse(List.of())) {
      if (!ID.matcher(w.value()).matches() || waves.contains(w.value())) {
        throw new ConfigException(
            m.file(),
            w.line(),
            w.key(),
            "wave '" + w.value() + "' must be a unique lower-case name such as 'canary'");
      }
      waves.add(w.value());
    }
    if (waves.isEmpty()) {
      waves = FleetConfig.DEFAULT_WAVES;
    }
    FleetConfig.Threshold threshold = FleetConfig.Threshold.NONE;
    Optional<YamlMap.Scalar> t = m.scalar("failure-threshold");
    if (t.isPresent()) {
      var matcher = THRESHOLD.matcher(t.get().value().strip());
      if (!matcher.matches()
          || (!matcher.group(2).isEmpty() && Integer.parseInt(matcher.group(1)) > 100)) {
        throw new ConfigException(
            m.file(),
            t.get().line(),
            t.get().key(),
            "failure-threshold is a count of targets (e.g. 2) or a share (e.g. 5%)");
      }
      threshold =
          new FleetConfig.Threshold(
              Integer.parseInt(matcher.group(1)), !matcher.group(2).isEmpty());
    }
    int parallel = m.integer("parallel").map(Long::intValue).orElse(defaultParallel());
    if (parallel < 1 || parallel > MAX_PARALLEL) {
      throw m.error("parallel", "parallel must be between 1 and " + MAX_PARALLEL);
    }
    List<FleetConfig.Target> targets = new ArrayList<>();
    Optional<List<YamlMap>> list = m.mapList("targets");
    for (YamlMap tm : list.orElse(List.of())) {
      targets.add(target(tm, waves, environments));
    }
    Optional<FleetConfig.Catalog> catalog = Optional.empty();
    Optional<YamlMap> c = m.map("catalog");
    if (c.isPresent()) {
      YamlMap cm = c.get();
      YamlMap.Scalar env = cm.requiredString("environment");
      if (!environments.containsKey(env.value())) {
        throw new ConfigException(
            cm.file(),
            env.line(),
            env.key(),
            "no environment '" + env.value() + "' to read the fleet's targets from");
      }
      YamlMap.Scalar query = cm.requiredString("query");
      List<String> variables = new ArrayList<>();
      for (YamlMap.Scalar v : cm.stringList("variables").orElse(List.of())) {
        if (!v.value().matches("[A-Za-z_][A-Za-z0-9_]*")) {
          throw new ConfigException(
              cm.file(),
              v.line(),
              v.key(),
              "'" + v.value() + "' is not an environment variable name");
        }
        variables.add(v.value());
      }
      boolean allowEmpty = cm.bool("allow-empty").orElse(false);
      cm.finish("environment", "query", "variables", "allow-empty");
      catalog =
          Optional.of(
              new FleetConfig.Catalog(
                  env.value(), query.value(), variables, allowEmpty, cm.file(), query.line()));
    }
    if (targets.isEmpty() && catalog.isEmpty()) {
      throw m.error(null, "fleet '" + name + "' needs 'targets' or a 'catalog' to read them from");
    }
    m.finish(
        "protected",
        "hosts",
        "database",
        "waves",
        "failure-threshold",
        "parallel",
        "targets",
        "catalog");
    return new FleetConfig(
        name, prot, hosts, database, waves, threshold, parallel, targets, catalog, m.file(),
        m.line());
  }

  private static FleetConfig.Target target(
      YamlMap m, List<String> waves, Map<String, EnvironmentConfig> environments) {
    YamlMap.Scalar id = m.requiredString("id");
    if (!ID.matcher(id.value()).matches()) {
      throw new ConfigException(
          m.file(),
          id.line(),
          id.key(),
          "target ids are lower-case letters, digits, '-' and '_' (they name the environment)");
    }
    if (environments.containsKey(id.value())) {
      throw new ConfigException(
          m.file(),
          id.line(),
          id.key(),
          "target '" + id.value() + "' has the name of an environment: give it another id");
    }
    ConfigValue url = ConfigValue.of(m.requiredString("url"), m.file());
    Optional<ConfigValue> deployUrl = m.string("deploy-url").map(s -> ConfigValue.of(s, m.file()));
    Optional<String> fingerprint = m.string("fingerprint").map(YamlMap.Scalar::value);
    if (fingerprint.isPresent() && !Fingerprints.valid(id.value(), fingerprint.get())) {
      throw m.error(
          "fingerprint",
          "fingerprint '"
              + fingerprint.get()
              + "' is malformed: expected '"
              + id.value()
              + "-' followed by 16 to 64 lower-case hex digits, as printed by"
              + " 'prodguard init-fingerprint "
              + id.value()
              + " --fleet ...'");
    }
    String wave = waves.get(waves.size() - 1);
    Optional<YamlMap.Scalar> w = m.string("wave");
    if (w.isPresent()) {
      if (!waves.contains(w.get().value())) {
        throw new ConfigException(
            m.file(),
            w.get().line(),
            w.get().key(),
            "wave '" + w.get().value() + "' is not in the fleet's waves " + waves);
      }
      wave = w.get().value();
    }
    m.finish("id", "url", "deploy-url", "fingerprint", "wave");
    return new FleetConfig.Target(
        id.value(), url, deployUrl, fingerprint, wave, m.file(), id.line());
  }

  /**
   * Targets promoted at once when neither {@code parallel:} nor {@code --parallel} says: a target's
   * promote mostly waits (for its server, for pg_dump), so four per core, at least 4 and at most 16
   * (each target holds a few connections to its server and one dump process).
   */
  public static int defaultParallel() {
    return Math.max(4, Math.min(16, 4 * Runtime.getRuntime().availableProcessors()));
  }
}
