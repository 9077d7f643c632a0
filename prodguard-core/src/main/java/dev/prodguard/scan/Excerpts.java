package dev.prodguard.scan;

import dev.prodguard.db.Redactor;
import java.util.regex.Pattern;

/** Source lines as printed in findings: trimmed, shortened, and never with a secret in them. */
public final class Excerpts {
  static final int MAX = 160;

  private static final String SECRET_WORD =
      "(?:password|passwd|pwd|secret|token|credentials?|api[_-]?key|private[_-]?key"
          + "|access[_-]?key|secret[_-]?key)";
  private static final Pattern KEY_VALUE =
      Pattern.compile(
          "(?i)([\\w.-]*"
              + SECRET_WORD
              + "[\\w.-]*[\"']?\\s*(?::=|=|:|,|\\bto\\b)\\s*[\"']?)([^\\s\"',;&<>}]+)");
  private static final Pattern XML_ELEMENT =
      Pattern.compile("(?i)(<[\\w.-]*" + SECRET_WORD + "[\\w.-]*>)([^<]+)");
  private static final Pattern CALL =
      Pattern.compile("(?i)(" + SECRET_WORD + "\\w*\\s*\\(\\s*[\"'])([^\"']+)");

  private Excerpts() {}

  public static String of(String line) {
    return of(line, 1);
  }

  /** The line around a 1-based column: long lines are cut to a window that shows the column. */
  public static String of(String line, int column) {
    // redact the whole line first: a window could cut a secret away from its key
    String s = redact(line.strip());
    int at = Math.max(0, column - 1 - (line.length() - line.stripLeading().length()));
    if (s.length() > MAX) {
      int from = Math.max(0, Math.min(at - 40, s.length() - (MAX - 3)));
      int to = Math.min(s.length(), from + MAX - (from > 0 ? 6 : 3));
      s = (from > 0 ? "..." : "") + s.substring(from, to) + (to < s.length() ? "..." : "");
    }
    return s;
  }

  /** Masks URL passwords, JWTs, and every value assigned to a password-, secret- or token-key. */
  public static String redact(String text) {
    String s = Redactor.redact(text);
    s = KEY_VALUE.matcher(s).replaceAll("$1" + Redactor.MASK);
    s = XML_ELEMENT.matcher(s).replaceAll("$1" + Redactor.MASK);
    s = CALL.matcher(s).replaceAll("$1" + Redactor.MASK);
    return s;
  }
}
