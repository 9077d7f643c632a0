package dev.prodguard.scan;

import dev.prodguard.Redactor;
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
    String s = redact(line.strip());
    if (s.length() > MAX) {
      s = s.substring(0, MAX - 3) + "...";
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
