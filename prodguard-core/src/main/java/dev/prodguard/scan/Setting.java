package dev.prodguard.scan;

import java.util.Locale;
import java.util.Set;
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

  /**
   * A list index in a key ({@code spring.flyway.locations[1]}, {@code locations.0} from a YAML
   * sequence, {@code flyway.locations[]} for a Maven POM's {@code <locations><location>}): an entry
   * of the list setting, read as the setting itself.
   */
  private static final Pattern INDEX = Pattern.compile("\\[\\d*]|\\.\\d+(?=\\.|$)");

  /** The key without list indexes ({@link #INDEX}). */
  public String unindexed() {
    return INDEX.matcher(key).replaceAll("");
  }

  /** Whether the key names one entry of a list setting ({@link #INDEX}). */
  public boolean indexed() {
    return !unindexed().equals(key);
  }

  /** The key lower-cased without punctuation: {@code spring.flyway.clean-disabled} -> ... */
  public String normalizedKey() {
    return normalize(unindexed());
  }

  /** The last dotted segment of the key, normalized. */
  public String lastSegment() {
    String k = unindexed();
    int dot = k.lastIndexOf('.');
    return normalize(dot < 0 ? k : k.substring(dot + 1));
  }

  /**
   * The value lower-cased and trimmed; a placeholder with a default ({@code ${X:false}}, {@code
   * ${X:-false}}) counts as its default, which is what runs when nobody sets X.
   */
  public String effectiveValue() {
    return effectiveValueCaseKept().toLowerCase(Locale.ROOT);
  }

  /** {@link #effectiveValue} with its case kept (a class path location is case-sensitive). */
  public String effectiveValueCaseKept() {
    String v = value.trim();
    Matcher m = DEFAULTED.matcher(v);
    if (m.matches()) {
      v = m.group(1).trim();
    }
    if (v.length() >= 2
        && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
      v = v.substring(1, v.length() - 1);
    }
    return v;
  }

  /**
   * Spellings some reader of the setting takes for {@code true}: Spring Boot's conversion service
   * ({@code true}, {@code on}, {@code yes}, {@code 1}, any case), YAML 1.1 booleans, SmallRye
   * Config (Quarkus: also {@code y}).
   */
  private static final Set<String> TRUE = Set.of("true", "on", "yes", "y", "1");

  /**
   * Whether some reader takes the value for {@code true}: a safety switch that must stay off is
   * judged on every spelling that turns it on ({@code out-of-order: on}).
   */
  public boolean mayReadTrue() {
    return TRUE.contains(effectiveValue());
  }

  /**
   * Whether some reader takes the value for {@code false}, so a safety switch that must stay on
   * ({@code cleanDisabled}, {@code validateOnMigrate}) may be off: every literal but {@code true},
   * since Maven, Gradle and Flyway's own fluent API read a boolean with {@code Boolean.valueOf}
   * (anything but {@code true} is false) and Spring Boot reads {@code off}, {@code no} and {@code
   * 0} as false. In Spring Boot's own files ({@code springFiles}) its other true spellings ({@code
   * on}, {@code yes}, {@code 1}) are true. An empty value or a variable ({@code ${X}}, {@code $X},
   * {@code %X%}, {@code @x@}) without a default is not judged here (what it holds is set
   * elsewhere); in free text only the value's first word counts.
   */
  public boolean mayReadFalse(boolean springFiles) {
    String v = effectiveValue();
    if (origin == Origin.INLINE) {
      // free text (a shell line, a printf): the value's first word
      int end = 0;
      while (end < v.length() && Character.isLetterOrDigit(v.charAt(end))) {
        end++;
      }
      v = v.substring(0, end);
    }
    if (v.isEmpty() || v.contains("$") || v.contains("%") || v.contains("@")) {
      return false;
    }
    return springFiles ? !TRUE.contains(v) : !v.equals("true");
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
