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
          key.append(l.charAt(k + 1));
          k += 2;
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
      String value = l.substring(Math.min(k, l.length())).strip();
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
