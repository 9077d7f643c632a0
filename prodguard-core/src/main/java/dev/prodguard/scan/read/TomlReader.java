package dev.prodguard.scan.read;

import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TOML (e.g. Flyway's {@code flyway.toml}): {@code [table]} and {@code [[array]]} headers prefix
 * the keys below them; {@code key = value} with bare, quoted or dotted keys; multi-line strings and
 * arrays are read whole.
 */
final class TomlReader {
  private static final Pattern HEADER =
      Pattern.compile("^\\s*\\[\\[?\\s*([^\\]]+?)\\s*\\]\\]?\\s*$");
  private static final Pattern KEY_VALUE =
      Pattern.compile(
          "^(\\s*)((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\\s*\\.\\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\\s*=\\s*(.*)$");

  private TomlReader() {}

  static void read(ScanFile f, List<Setting> out) {
    String[] lines = f.code().split("\n", -1);
    String table = "";
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].replace("\r", "");
      Matcher h = HEADER.matcher(line);
      if (h.matches()) {
        table = key(h.group(1));
        continue;
      }
      Matcher kv = KEY_VALUE.matcher(line);
      if (!kv.matches()) {
        continue;
      }
      String key = key(kv.group(2));
      String value = kv.group(3).trim();
      int startLine = i + 1;
      if (value.startsWith("\"\"\"") || value.startsWith("'''")) {
        String delim = value.substring(0, 3);
        StringBuilder b = new StringBuilder(value.substring(3));
        while (b.indexOf(delim) < 0 && i + 1 < lines.length) {
          b.append('\n').append(lines[++i]);
        }
        int end = b.indexOf(delim);
        value = end < 0 ? b.toString() : b.substring(0, end);
      } else if (value.startsWith("[")) {
        StringBuilder b = new StringBuilder(value);
        while (depth(b) > 0 && i + 1 < lines.length) {
          b.append(' ').append(lines[++i].trim());
        }
        value =
            b.toString()
                .replaceAll("^\\[|\\]$", "")
                .replaceAll("[\"']", "")
                .replaceAll("\\s*,\\s*", ",")
                .trim();
        if (value.endsWith(",")) {
          value = value.substring(0, value.length() - 1);
        }
      } else {
        value = SettingsReader.unquote(value);
      }
      String full = table.isEmpty() ? key : table + "." + key;
      out.add(new Setting(full, value, startLine, kv.group(1).length() + 1, null));
    }
  }

  private static int depth(CharSequence s) {
    int d = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '[') {
        d++;
      } else if (s.charAt(i) == ']') {
        d--;
      }
    }
    return d;
  }

  private static String key(String raw) {
    StringBuilder b = new StringBuilder();
    for (String part : raw.split("\\s*\\.\\s*(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)")) {
      if (b.length() > 0) {
        b.append('.');
      }
      b.append(SettingsReader.unquote(part.trim()));
    }
    return b.toString();
  }
}
