package dev.prodguard.db;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A host-name glob from {@code hosts:}: {@code *} and {@code ?}, case-insensitive. A host matches
 * when any name it is known to equal matches: a trailing dot and case do not count, IPv6 addresses
 * are compared in one canonical form, and loopback ({@code localhost}, {@code 127.0.0.0/8}, {@code
 * ::1}, {@code 0.0.0.0}, {@code ::}) is one host under all its names.
 */
public final class HostPattern {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9.*?:_%\\[\\]-]+");
  private static final Pattern QUAD = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  /** The names every loopback host is known by. */
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1");

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
    if (g.length() > 1 && g.endsWith(".")) {
      g = g.substring(0, g.length() - 1);
    }
    if (g.contains(":") && !g.contains("*") && !g.contains("?")) {
      g = canonicalIpv6(g);
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
    for (String name : equivalents(host)) {
      if (regex.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The names {@code host} is known to equal without asking DNS: itself in lower case without a
   * trailing dot or brackets, the canonical form of an IP literal (an IPv4-mapped IPv6 address also
   * as IPv4), and for loopback every loopback name.
   */
  public static Set<String> equivalents(String host) {
    Set<String> out = new LinkedHashSet<>();
    String h = host.toLowerCase(Locale.ROOT).strip();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    while (h.endsWith(".") && h.length() > 1) {
      h = h.substring(0, h.length() - 1);
    }
    out.add(h);
    boolean loopback = h.equals("localhost") || h.endsWith(".localhost");
    if (h.contains(":") && h.matches("[0-9a-f:.]+")) {
      try {
        InetAddress a = InetAddress.getByName("[" + h + "]");
        if (a instanceof Inet4Address) {
          out.add(a.getHostAddress());
        } else {
          out.add(compressIpv6(a.getHostAddress()));
        }
        loopback |= a.isLoopbackAddress() || a.isAnyLocalAddress();
      } catch (UnknownHostException e) {
        // not an address: compared as written
      }
    } else if (QUAD.matcher(h).matches()) {
      loopback |= h.startsWith("127.") || h.equals("0.0.0.0");
    }
    if (loopback) {
      out.addAll(LOOPBACK);
    }
    return out;
  }

  private static String canonicalIpv6(String text) {
    try {
      InetAddress a = InetAddress.getByName("[" + text + "]");
      return a instanceof Inet4Address ? a.getHostAddress() : compressIpv6(a.getHostAddress());
    } catch (UnknownHostException e) {
      return text;
    }
  }

  /** RFC 5952 form of Java's full IPv6 text: the longest run of zero groups becomes '::'. */
  public static String compressIpv6(String full) {
    String text = full;
    int pct = text.indexOf('%');
    String scope = pct < 0 ? "" : text.substring(pct);
    text = pct < 0 ? text : text.substring(0, pct);
    String[] groups = text.split(":", -1);
    if (groups.length != 8) {
      return full.toLowerCase(Locale.ROOT);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i].replaceFirst("^0+(?=.)", "").equals("0")) {
        int j = i;
        while (j < 8 && groups[j].replaceFirst("^0+(?=.)", "").equals("0")) {
          j++;
        }
        if (j - i > bestLen) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (bestLen >= 2 && i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(groups[i].replaceFirst("^0+(?=.)", ""));
    }
    return (sb + scope).toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return glob;
  }
}
