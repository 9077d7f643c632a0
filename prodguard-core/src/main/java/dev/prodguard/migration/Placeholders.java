package dev.prodguard.migration;

import dev.prodguard.config.ConfigException;
import dev.prodguard.config.ConfigValue;
import dev.prodguard.config.ProdguardConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The placeholders of one run, resolved from {@code migrations.placeholders} and the environment
 * when the migrations are read: part of the snapshot ({@link MigrationFiles}), because the text a
 * server runs is the file's text with them replaced (Flyway's placeholders). A value whose {@code
 * ${VAR}} is not set here (a pull request's CI has no production secrets) is <em>unknown</em>:
 * {@code lint} judges the statements that use it as unknown, and {@code verify}, {@code backup} and
 * {@code deploy} refuse ({@link #requireKnown()}).
 */
public final class Placeholders {
  public static final Placeholders NONE = new Placeholders("${", "}", Map.of(), Map.of(), Map.of());

  private final String prefix;
  private final String suffix;
  private final Map<String, String> known;
  private final Map<String, ConfigException> unknown;

  /** Values read from the environment (often credentials), each with how reports name it. */
  private final Map<String, String> secret;

  private Placeholders(
      String prefix,
      String suffix,
      Map<String, String> known,
      Map<String, ConfigException> unknown,
      Map<String, String> secret) {
    this.prefix = prefix;
    this.suffix = suffix;
    this.known = Collections.unmodifiableMap(new LinkedHashMap<>(known));
    this.unknown = Collections.unmodifiableMap(new LinkedHashMap<>(unknown));
    this.secret = Collections.unmodifiableMap(new LinkedHashMap<>(secret));
  }

  /** Placeholders with literal values (tests, other engines). */
  public static Placeholders of(String prefix, String suffix, Map<String, String> values) {
    return new Placeholders(prefix, suffix, values, Map.of(), Map.of());
  }

  /**
   * The shortest value read from the environment that is treated as a possible credential and
   * redacted from every text that leaves prodguard (API keys and passwords are longer).
   */
  static final int MIN_CREDENTIAL_LENGTH = 8;

  /** Resolves each configured value's {@code ${VAR}} from {@code env}. */
  public static Placeholders resolve(ProdguardConfig.Placeholders config, Map<String, String> env) {
    Map<String, String> known = new LinkedHashMap<>();
    Map<String, ConfigException> unknown = new LinkedHashMap<>();
    Map<String, String> secret = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : config.values().entrySet()) {
      try {
        String value = e.getValue().resolve(env);
        known.put(e.getKey(), value);
        if (!e.getValue().variables().isEmpty() && !value.isBlank()) {
          secret.put(value, config.prefix() + e.getKey() + config.suffix());
          // every text that leaves prodguard (a server's error quoting it, prodguard_run.failure,
          // the audit, Flyway's debug lines) shows it as its placeholder, never its value; a short
          // value ("app", "acme", "5") is a name, not a credential, and replacing it in every text
          // of the process would garble unrelated messages (and, in a JVM that runs several
          // configurations, other configurations' texts)
          if (value.length() >= MIN_CREDENTIAL_LENGTH) {
            dev.prodguard.db.Redactor.registerSecret(
                value, config.prefix() + e.getKey() + config.suffix());
          }
        }
      } catch (ConfigException missing) {
        unknown.put(e.getKey(), missing);
      }
    }
    return new Placeholders(config.prefix(), config.suffix(), known, unknown, secret);
  }

  /** Flyway's {@code placeholderPrefix}, {@code ${} unless configured. */
  public String prefix() {
    return prefix;
  }

  /** Flyway's {@code placeholderSuffix}, <code>}</code> unless configured. */
  public String suffix() {
    return suffix;
  }

  /** Name to value, for the placeholders whose value is known here. */
  public Map<String, String> known() {
    return known;
  }

  /** Names of the configured placeholders whose value is not known here, each with why. */
  public Map<String, String> unknown() {
    Map<String, String> out = new LinkedHashMap<>();
    unknown.forEach((k, v) -> out.put(k, v.getMessage()));
    return out;
  }

  /**
   * {@code text} with every value read from the environment shown as its placeholder again: such
   * values are often credentials ({@code CREATE ROLE app PASSWORD '${app_password}'}), and findings
   * quote statements after replacement into CI logs.
   */
  public String mask(String text) {
    if (text == null || secret.isEmpty()) {
      return text;
    }
    String out = text;
    // longest first, so that a value inside another is not masked half
    List<String> values = new ArrayList<>(secret.keySet());
    values.sort((a, b) -> b.length() - a.length());
    for (String v : values) {
      out = out.replace(v, secret.get(v));
    }
    return out;
  }

  /** Whether a placeholder of this name is configured (Flyway compares names ignoring case). */
  public boolean configured(String name) {
    return find(known, name) != null || find(unknown, name) != null;
  }

  private static <V> V find(Map<String, V> map, String name) {
    for (Map.Entry<String, V> e : map.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /**
   * @throws ConfigException naming prodguard.yml's line and key when a value's variable is not set:
   *     what would run is not known, so nothing may be verified, backed up or deployed
   */
  public void requireKnown() {
    if (!unknown.isEmpty()) {
      throw unknown.values().iterator().next();
    }
  }

  /**
   * What binds the values into the migration set's hash: prefix, suffix, then {@code name=value}
   * lines sorted by name; empty when no placeholder is configured (the hash of a project without
   * placeholders stays what it was).
   */
  public String canonical() {
    if (known.isEmpty() && unknown.isEmpty() && prefix.equals("${") && suffix.equals("}")) {
      return "";
    }
    requireKnown();
    StringBuilder sb = new StringBuilder(prefix).append('\0').append(suffix).append('\0');
    new TreeMap<>(known).forEach((k, v) -> sb.append(k).append('\0').append(v).append('\0'));
    return sb.toString();
  }

  /**
   * Equal when prefix, suffix, the known values and the names of the unknown ones are: two reads of
   * the same configuration in the same environment (then a file's text with them replaced, and the
   * migration tool's split of it, are the same).
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Placeholders p
        && prefix.equals(p.prefix)
        && suffix.equals(p.suffix)
        && known.equals(p.known)
        && unknown.keySet().equals(p.unknown.keySet());
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(prefix, suffix, known, unknown.keySet());
  }
}
