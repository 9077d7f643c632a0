package dev.prodguard.db;

import java.util.Locale;
import java.util.regex.Pattern;

/** A host-name glob from {@code hosts:}: {@code *} and {@code ?}, case-insensitive. */
public final class HostPattern {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9.*?:_%\\[\\]-]+");

  private final String glob;
  private final Pattern regex;

  public HostPattern(String glob) {
    if (!isValid(glob)) {
      throw new IllegalArgumentException("not a host pattern: " + glob);
    }
    this.glob = glob;
    String g = glob.toLowerCase(Locale.ROOT);
    if (g.startsWith("[") && g.endsWith("]")) {
      g = g.substring(1, g.length() - 1);
    }
    StringBuilder re = new StringBuilder();
    for (char c : g.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    this.regex = Pattern.compile(re.toString());
  }

  public static boolean isValid(String glob) {
    return glob != null && !glob.isBlank() && VALID.matcher(glob).matches();
  }

  public boolean matches(String host) {
    return regex.matcher(host.toLowerCase(Locale.ROOT)).matches();
  }

  @Override
  public String toString() {
    return glob;
  }
}
