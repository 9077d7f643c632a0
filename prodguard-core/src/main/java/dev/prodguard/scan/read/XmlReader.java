package dev.prodguard.scan.read;

import dev.prodguard.scan.ScanFile;
import dev.prodguard.scan.Setting;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * XML (Maven POMs, persistence.xml, Spring XML): {@code <key>value</key>} leaf elements, and {@code
 * <property name="k" value="v"/>} / {@code <prop key="k">v</prop>} / {@code <entry ...>}.
 */
final class XmlReader {
  private static final Pattern LEAF =
      Pattern.compile("<([A-Za-z_][\\w.:-]*)(?:\\s[^<>]*)?>([^<]*)</\\1\\s*>");
  private static final Pattern NAMED =
      Pattern.compile("<(?:property|prop|entry|param|parameter)\\s([^<>]*?)/?>");
  private static final Pattern NAME_ATTR = Pattern.compile("\\b(?:name|key)\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern VALUE_ATTR = Pattern.compile("\\bvalue\\s*=\\s*\"([^\"]*)\"");

  private XmlReader() {}

  private static final Pattern TAG = Pattern.compile("<(/?)([A-Za-z_][\\w.:-]*)[^<>]*?(/?)>");

  /** The name of the element enclosing offset {@code at}, or null. */
  private static String parent(String code, int at) {
    java.util.Deque<String> open = new java.util.ArrayDeque<>();
    Matcher t = TAG.matcher(code).region(0, at);
    while (t.find()) {
      if (!t.group(3).isEmpty()) {
        continue;
      }
      if (t.group(1).isEmpty()) {
        open.push(t.group(2));
      } else {
        while (!open.isEmpty() && !open.pop().equals(t.group(2))) {
          // an element left open (HTML-ish XML): closed with its parent
        }
      }
    }
    return open.peek();
  }

  static void read(ScanFile f, List<Setting> out) {
    String code = f.code();
    Matcher m = LEAF.matcher(code);
    while (m.find()) {
      String value = m.group(2).trim();
      String key = m.group(1);
      String parent = parent(code, m.start());
      if (parent != null
          && parent.equals(key + "s")
          && code.toLowerCase(java.util.Locale.ROOT).contains("flyway")) {
        // Maven's list form (<locations><location>a</location>...): each entry one setting of
        // the Flyway plugin's list, read as flyway.locations[] (Setting#unindexed)
        key = "flyway." + parent + "[]";
      }
      out.add(new Setting(key, value, f.line(m.start(1)), f.column(m.start(1)), null));
    }
    Matcher n = NAMED.matcher(code);
    while (n.find()) {
      Matcher name = NAME_ATTR.matcher(n.group(1));
      if (!name.find()) {
        continue;
      }
      Matcher value = VALUE_ATTR.matcher(n.group(1));
      String v;
      if (value.find()) {
        v = value.group(1);
      } else if (!n.group(0).endsWith("/>")) {
        int close = code.indexOf('<', n.end());
        v = close < 0 ? "" : code.substring(n.end(), close).trim();
      } else {
        continue;
      }
      int at = n.start(1) + name.start(1);
      out.add(new Setting(name.group(1), v, f.line(at), f.column(at), null));
    }
  }
}
