package dev.prodguard.scan;

import java.util.OptionalInt;

/**
 * Where a NUL byte sits in a Java source file. The Java compiler rejects a NUL character in code
 * ("illegal character") but takes it inside a character or string literal (including a text block)
 * and inside a comment (JLS 3.10.4, 3.10.5, 3.7): there it is a value, and it cannot split a word
 * that the scan looks for in what the program runs. Read as the compiler reads it: Unicode escapes
 * ({@code \u0022}) translated first (JLS 3.3), then comments and literals.
 */
final class JavaNuls {
  private JavaNuls() {}

  /**
   * The offset (in {@code text}, after Unicode escapes are translated) of the first NUL outside a
   * literal or comment; empty when every NUL is inside one.
   */
  static OptionalInt outsideLiterals(String source) {
    String t = translateUnicodeEscapes(source);
    int i = 0;
    int n = t.length();
    while (i < n) {
      char c = t.charAt(i);
      if (c == 0) {
        return OptionalInt.of(i);
      }
      if (c == '/' && i + 1 < n && t.charAt(i + 1) == '/') {
        while (i < n && t.charAt(i) != '\n' && t.charAt(i) != '\r') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && t.charAt(i + 1) == '*') {
        int end = t.indexOf("*/", i + 2);
        if (end < 0) {
          return OptionalInt.of(i); // unterminated: not Java the compiler takes
        }
        i = end + 2;
      } else if (t.startsWith("\"\"\"", i)) {
        int end = literalEnd(t, i + 3, "\"\"\"", false);
        if (end < 0) {
          return OptionalInt.of(i);
        }
        i = end;
      } else if (c == '"' || c == '\'') {
        int end = literalEnd(t, i + 1, String.valueOf(c), true);
        if (end < 0) {
          return OptionalInt.of(i);
        }
        i = end;
      } else {
        i++;
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The offset after {@code close}; -1 when the literal is not closed (or, single-line, a line
   * ends).
   */
  private static int literalEnd(String t, int from, String close, boolean singleLine) {
    int i = from;
    while (i < t.length()) {
      char c = t.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (t.startsWith(close, i)) {
        return i + close.length();
      } else if (singleLine && (c == '\n' || c == '\r')) {
        return -1;
      } else {
        i++;
      }
    }
    return -1;
  }

  /**
   * JLS 3.3: a backslash preceded by an even number of backslashes, one or more {@code u}, four hex
   * digits is the character it names; everything else is kept.
   */
  static String translateUnicodeEscapes(String s) {
    if (s.indexOf("\\u") < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    int backslashes = 0; // consecutive backslashes just before i, in the source
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\' && backslashes % 2 == 0 && i + 1 < s.length() && s.charAt(i + 1) == 'u') {
        int j = i + 1;
        while (j < s.length() && s.charAt(j) == 'u') {
          j++;
        }
        if (j + 4 <= s.length() && isHex(s, j, j + 4)) {
          out.append((char) Integer.parseInt(s.substring(j, j + 4), 16));
          i = j + 4;
          backslashes = 0;
          continue;
        }
      }
      backslashes = c == '\\' ? backslashes + 1 : 0;
      out.append(c);
      i++;
    }
    return out.toString();
  }

  private static boolean isHex(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      if (Character.digit(s.charAt(k), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
