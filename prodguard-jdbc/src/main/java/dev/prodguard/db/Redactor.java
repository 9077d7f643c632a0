package dev.prodguard.db;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
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

  /**
   * The secrets registered under a name ({@link #registerSecret(String, String)}: placeholder
   * values), the only ones prodguard writes into SQL text, where a server's parse error can quote a
   * fragment of them. Passwords and tokens travel as protocol fields and are masked whole: their
   * fragments are not searched for, so that a URL parsed with an odd password (which registers a
   * long, URL-like text) does not mask host names and paths in every later message.
   */
  private static final java.util.Set<String> IN_SQL_TEXT = ConcurrentHashMap.newKeySet();

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
      if (!MASK.equals(shownAs) && IN_SQL_TEXT.add(secret)) {
        fragmentIndex = null; // rebuilt at the next redaction
      }
    }
  }

  /**
   * The shortest part of a secret that is redacted on its own: a server's error may quote only a
   * fragment of a value (a quote in a placeholder value ends its SQL literal, and the server quotes
   * the rest as the token it cannot parse, attacker 23/04).
   */
  static final int FRAGMENT = 6;

  /** A fragment this long is redacted even when it reads as a plain word. */
  static final int LONG_FRAGMENT = 10;

  /** A plain word or identifier: as a short fragment, a name in a message, not a credential. */
  private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z]?[a-z_]+|[A-Z_]+");

  /** Each {@link #FRAGMENT}-character part of a secret, with the secrets that hold it. */
  private static volatile Map<String, List<String>> fragmentIndex;

  /** The first characters of {@link #fragmentIndex}'s keys: most positions of a text are none. */
  private static volatile java.util.BitSet fragmentStarts = new java.util.BitSet();

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
    // last: a fragment of a registered text must not hide the key a pattern above recognises
    return fragments(out);
  }

  /**
   * Replaces each run of {@code text} that is part of a secret placed in SQL text ({@link
   * #IN_SQL_TEXT}): {@link #LONG_FRAGMENT} characters or more, or {@link #FRAGMENT} or more that
   * are not a plain word ({@code secret}, {@code api_clients}: names a message needs, and little of
   * a credential). The run is shown as the secret is (its placeholder, or {@link #MASK}).
   */
  private static String fragments(String text) {
    Map<String, List<String>> index = fragmentIndex;
    if (index == null) {
      index = new HashMap<>();
      java.util.BitSet starts = new java.util.BitSet();
      for (String secret : IN_SQL_TEXT) {
        for (int i = 0; i + FRAGMENT <= secret.length(); i++) {
          index
              .computeIfAbsent(secret.substring(i, i + FRAGMENT), k -> new ArrayList<>())
              .add(secret);
          starts.set(secret.charAt(i));
        }
      }
      fragmentStarts = starts;
      fragmentIndex = index;
    }
    java.util.BitSet starts = fragmentStarts;
    if (index.isEmpty() || text.length() < FRAGMENT) {
      return text;
    }
    StringBuilder out = null;
    int copied = 0;
    int i = 0;
    while (i + FRAGMENT <= text.length()) {
      if (!starts.get(text.charAt(i))) {
        i++;
        continue;
      }
      List<String> holders = index.get(text.substring(i, i + FRAGMENT));
      if (holders == null) {
        i++;
        continue;
      }
      int end = i + FRAGMENT;
      String holder = holders.get(0);
      for (String secret : holders) {
        int j = i + FRAGMENT;
        while (j < text.length() && secret.contains(text.substring(i, j + 1))) {
          j++;
        }
        if (j > end) {
          end = j;
          holder = secret;
        }
      }
      String run = text.substring(i, end);
      if (run.length() < LONG_FRAGMENT && PLAIN_WORD.matcher(run).matches()) {
        i++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length());
      }
      out.append(text, copied, i).append(SECRETS.getOrDefault(holder, MASK));
      copied = end;
      i = end;
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }
}
