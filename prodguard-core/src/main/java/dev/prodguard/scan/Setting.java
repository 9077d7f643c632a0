package dev.prodguard.scan;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key and its value as a file sets it: a property, a (flattened) YAML, TOML or JSON key, an
 * environment variable assignment, a {@code -Dkey=value} flag, an XML element, a Gradle or
 * fluent-builder call.
 *
 * @param key as written (YAML and TOML keys joined with dots)
 * @param value as written, surrounding quotes removed
 * @param line 1-based line of the key
 * @param column 1-based column of the key
 * @param profile the Spring/Quarkus profile of the document or key ({@code %prod.}), or null
 * @param origin how it was read
 */
public record Setting(
    String key, String value, int line, int column, String profile, Origin origin) {
  /** How a setting was read: by a parser of the file's format, or by a pattern in free text. */
  public enum Origin {
    /** properties, YAML, TOML, JSON, XML structure */
    STRUCTURED,
    /** KEY=value, -Dkey=value, --key=value anywhere in the text */
    INLINE,
    /** "key", "value" in code */
    PAIR,
    /** .key(value) builder calls, key.set(value) */
    FLUENT
  }

  public Setting(String key, String value, int line, int column, String profile) {
    this(key, value, line, column, profile, Origin.STRUCTURED);
  }

  public Setting withProfile(String p) {
    return new Setting(key, value, line, column, p, origin);
  }

  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Za-z0-9_.-]*:-?([^}]*)}");

  /** The key lower-cased without punctuation: {@code spring.flyway.clean-disabled} -> ... */
  public String normalizedKey() {
    return normalize(key);
  }

  /** The last dotted segment of the key, normalized. */
  public String lastSegment() {
    int dot = key.lastIndexOf('.');
    return normalize(dot < 0 ? key : key.substring(dot + 1));
  }

  /**
   * The value lower-cased and trimmed; a placeholder with a default ({@code ${X:false}}, {@code
   * ${X:-false}}) counts as its default, which is what runs when nobody sets X.
   */
  public String effectiveValue() {
    String v = value.trim();
    Matcher m = DEFAULTED.matcher(v);
    if (m.matches()) {
      v = m.group(1).trim();
    }
    if (v.length() >= 2
        && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      v = v.substring(1, v.length() - 1);
    }
    return v.toLowerCase(Locale.ROOT);
  }

  public static String normalize(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        b.append((char) (c + 32));
      } else if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
        b.append(c);
      }
    }
    return b.toString();
  }
}
