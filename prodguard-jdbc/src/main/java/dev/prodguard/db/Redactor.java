package dev.prodguard.db;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Removes credentials from every text that leaves prodguard: passwords and tokens registered as
 * secrets, userinfo in URLs, and password-like query parameters.
 */
public final class Redactor {
  public static final String MASK = "***";

  /** Each secret with what replaces it: {@link #MASK}, or the name it was read under. */
  private static final Map<String, String> SECRETS = new ConcurrentHashMap<>();

  private static final Pattern URL_USERINFO =
      Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/@\\s:]*):(\\S*)@");
  private static final Pattern SECRET_PARAM =
      Pattern.compile(
          "(?i)\\b(password|passwd|pwd|secret|token|sslpassword|access_token|id_token)=([^&;\\s\"']+)");
  private static final Pattern JWT =
      Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");

  private Redactor() {}

  /** Registers a value that must never be printed (ignored when too short to be meaningful). */
  public static void registerSecret(String secret) {
    registerSecret(secret, MASK);
  }

  /**
   * Registers a value that must never be printed, shown as {@code shownAs} instead (e.g. a
   * placeholder value read from the environment, shown as its {@code ${name}}); a value already
   * registered as a plain secret stays masked.
   */
  public static void registerSecret(String secret, String shownAs) {
    if (secret != null && secret.length() >= 3) {
      SECRETS.putIfAbsent(secret, shownAs);
    }
  }

  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    // longest first: a secret that holds a shorter one is masked whole, not around it
    for (String secret :
        SECRETS.keySet().stream()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList()) {
      if (out.contains(secret)) {
        out = out.replace(secret, SECRETS.getOrDefault(secret, MASK));
      }
    }
    out = URL_USERINFO.matcher(out).replaceAll("$1$2:" + MASK + "@");
    out = SECRET_PARAM.matcher(out).replaceAll("$1=" + MASK);
    out = JWT.matcher(out).replaceAll("<jwt redacted>");
    return out;
  }
}
