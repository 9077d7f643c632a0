package dev.prodguard.scan.read;

import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.ArrayList;
import java.util.List;

/**
 * Java properties (also {@code flyway.conf}, {@code .ini}, {@code .cfg}): {@code key=value}, {@code
 * key: value} or {@code key value}, continuation lines, and Spring Boot's multi-document files
 * ({@code #---}) whose documents may name their profile.
 */
final class PropertiesReader {
  private PropertiesReader() {}

  static void read(ScanFile f, List<Setting> out) {
    String text = f.text();
    List<Setting> doc = new ArrayList<>();
    String docProfile = null;
    int n = text.length();
    int pos = 0;
    int lineNo = 1;
    while (pos < n) {
      int end = text.indexOf('\n', pos);
      if (end < 0) {
        end = n;
      }
      String line = stripCr(text.substring(pos, end));
      int startLine = lineNo;
      pos = end + 1;
      lineNo++;
      String trimmed = line.strip();
      if (trimmed.equals("#---") || trimmed.equals("!---")) {
        flush(doc, docProfile, out);
        docProfile = null;
        continue;
      }
      if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
        continue;
      }
      // logical line: join continuations
      StringBuilder logical = new StringBuilder(line);
      while (endsWithContinuation(logical) && pos < n) {
        logical.setLength(logical.length() - 1);
        int e = text.indexOf('\n', pos);
        if (e < 0) {
          e = n;
        }
        logical.append(stripCr(text.substring(pos, e)).stripLeading());
        pos = e + 1;
        lineNo++;
      }
      String l = logical.toString();
      int k = 0;
      while (k < l.length() && Character.isWhitespace(l.charAt(k))) {
        k++;
      }
      int keyStart = k;
      StringBuilder key = new StringBuilder();
      while (k < l.length()) {
        char c = l.charAt(k);
        if (c == '\\' && k + 1 < l.length()) {
          k = escape(l, k, key);
          continue;
        }
        if (c == '=' || c == ':' || Character.isWhitespace(c)) {
          break;
        }
        key.append(c);
        k++;
      }
      while (k < l.length() && (l.charAt(k) == ' ' || l.charAt(k) == '\t')) {
        k++;
      }
      if (k < l.length() && (l.charAt(k) == '=' || l.charAt(k) == ':')) {
        k++;
      }
      String value = unescape(l.substring(Math.min(k, l.length()))).strip();
      int column = keyStart + 1;
      if (key.length() == 0) {
        continue;
      }
      String keyText = key.toString();
      if (keyText.equals("spring.config.activate.on-profile")
          || keyText.equals("spring.profiles")) {
        docProfile = value;
      }
      doc.add(SettingsReader.withProfile(keyText, value, startLine, column, null));
    }
    flush(doc, docProfile, out);
  }

  private static void flush(List<Setting> doc, String profile, List<Setting> out) {
    for (Setting s : doc) {
      out.add(s.profile() != null || profile == null ? s : s.withProfile(profile));
    }
    doc.clear();
  }

  /**
   * A value as {@code java.util.Properties} decodes it, which is what Spring Boot and Flyway read:
   * {@code \\uXXXX}, {@code \\t}, {@code \\n}, {@code \\r}, {@code \\f}, and any other escaped
   * character as itself ({@code spring.flyway.clean-disabled=\\u0066alse} is {@code false}).
   */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.charAt(i) == '\\' && i + 1 < s.length()) {
        i = escape(s, i, b);
      } else {
        b.append(s.charAt(i++));
      }
    }
    return b.toString();
  }

  /** Decodes the escape at {@code s[i] == '\\'} into {@code b}; returns the index after it. */
  private static int escape(String s, int i, StringBuilder b) {
    char c = s.charAt(i + 1);
    if (c == 'u' && i + 6 <= s.length()) {
      try {
        b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        return i + 6;
      } catch (NumberFormatException e) {
        // java.util.Properties refuses a malformed escape: kept as written
        b.append(c);
        return i + 2;
      }
    }
    b.append(
        switch (c) {
          case 't' -> '\t';
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 'f' -> '\f';
          default -> c;
        });
    return i + 2;
  }

  private static boolean endsWithContinuation(CharSequence s) {
    int slashes = 0;
    for (int i = s.length() - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
      slashes++;
    }
    return slashes % 2 == 1;
  }

  private static String stripCr(String s) {
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }
}
