package dev.prodguard.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A configuration string that may contain {@code ${VAR}} references. Resolution is lazy: a dev
 * laptop has no {@code PROD_DATABASE_URL}, and that is only an error when prod is the target.
 */
public record ConfigValue(String raw, String file, int line, String key) {
  private static final Pattern REF = Pattern.compile("\\$\\{([^}]*)}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  static ConfigValue of(YamlMap.Scalar s, String file) {
    ConfigValue v = new ConfigValue(s.value(), file, s.line(), s.key());
    v.variables(); // syntax errors surface at load time
    return v;
  }

  /** Names of the variables referenced, in order. */
  public List<String> variables() {
    List<String> names = new ArrayList<>();
    Matcher m = REF.matcher(raw);
    while (m.find()) {
      String name = m.group(1);
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(
            file, line, key, "'${" + name + "}' is not a valid variable reference");
      }
      names.add(name);
    }
    int unclosed = REF.matcher(raw).replaceAll("").indexOf("${");
    if (unclosed >= 0) {
      throw new ConfigException(file, line, key, "unclosed '${' in value");
    }
    return names;
  }

  /** Substitutes every reference; a missing or empty variable is a configuration error. */
  public String resolve(Map<String, String> env) {
    Matcher m = REF.matcher(raw);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = env.get(name);
      if (value == null || value.isEmpty()) {
        throw new ConfigException(
            file,
            line,
            key,
            "environment variable " + name + " is not set (referenced as ${" + name + "})");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** True when every referenced variable is set. */
  public boolean resolvable(Map<String, String> env) {
    for (String name : variables()) {
      String v = env.get(name);
      if (v == null || v.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Resolves {@code ${VAR}} references from {@code env} and parses the result as a database URL.
   *
   * @throws ConfigException naming this value's file, line and key when a variable is missing or
   *     the URL cannot be parsed (the message never holds a password)
   */
  public dev.prodguard.db.DatabaseUrl databaseUrl(java.util.Map<String, String> env) {
    String text = resolve(env);
    dev.prodguard.db.DatabaseUrl known = PARSED.get(text);
    if (known != null) {
      return known;
    }
    dev.prodguard.db.DatabaseUrl parsed;
    try {
      parsed = dev.prodguard.db.DatabaseUrl.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(file(), line(), key(), e.getMessage());
    }
    if (PARSED.size() < PARSED_KEPT) {
      PARSED.put(text, parsed);
    }
    return parsed;
  }

  /**
   * URLs parsed in this process, by their resolved text ({@code DatabaseUrl} is immutable; a text
   * that does not parse is not kept): G3 compares a target's URL with every other environment's
   * before each step, which a fleet of hundreds of targets would otherwise parse again and again.
   */
  private static final java.util.Map<String, dev.prodguard.db.DatabaseUrl> PARSED =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final int PARSED_KEPT = 10_000;
}
