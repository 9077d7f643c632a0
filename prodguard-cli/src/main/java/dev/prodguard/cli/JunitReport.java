package dev.prodguard.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JUnit XML as CI servers show it: a test case per checked file that has no findings, one per
 * finding; uncovered errors are failures.
 */
final class JunitReport {
  private JunitReport() {}

  static String write(String suite, List<String> files, List<ReportItem> items) {
    Map<String, Boolean> clean = new LinkedHashMap<>();
    files.forEach(f -> clean.put(f, true));
    items.forEach(i -> clean.put(i.file(), false));
    long failures = items.stream().filter(ReportItem::blocking).count();
    long cleanCount = clean.values().stream().filter(b -> b).count();
    StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.append("<testsuites name=\"")
        .append(esc(suite))
        .append("\" tests=\"")
        .append(items.size() + cleanCount)
        .append("\" failures=\"")
        .append(failures)
        .append("\" errors=\"0\">\n");
    x.append("  <testsuite name=\"")
        .append(esc(suite))
        .append("\" tests=\"")
        .append(items.size() + cleanCount)
        .append("\" failures=\"")
        .append(failures)
        .append("\" errors=\"0\" skipped=\"0\">\n");
    for (Map.Entry<String, Boolean> e : clean.entrySet()) {
      if (e.getValue()) {
        x.append("    <testcase classname=\"")
            .append(esc(e.getKey()))
            .append("\" name=\"no findings\"/>\n");
      }
    }
    for (ReportItem i : items) {
      x.append("    <testcase classname=\"")
          .append(esc(i.file()))
          .append("\" name=\"")
          .append(esc(i.rule() + " at line " + i.line() + ", column " + i.column()))
          .append("\">\n");
      String body =
          i.message()
              + "\n"
              + i.file()
              + ":"
              + i.line()
              + ":"
              + i.column()
              + "\n  "
              + i.excerpt()
              + "\nfix: "
              + i.recipe();
      if (i.blocking()) {
        x.append("      <failure type=\"")
            .append(esc(i.rule()))
            .append("\" message=\"")
            .append(esc(i.message()))
            .append("\">")
            .append(esc(body))
            .append("</failure>\n");
      } else {
        String note =
            i.suppressedBy() != null
                ? "covered by a contract exception: " + i.suppressedBy() + "\n" + body
                : i.level() + ": " + body;
        x.append("      <system-out>").append(esc(note)).append("</system-out>\n");
      }
      x.append("    </testcase>\n");
    }
    x.append("  </testsuite>\n</testsuites>\n");
    return x.toString();
  }

  /** XML 1.0 text: escapes markup and drops characters XML cannot carry. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          if (c == '\t'
              || c == '\n'
              || c == '\r'
              || (c >= 0x20 && c <= 0xD7FF)
              || (c >= 0xE000 && c <= 0xFFFD)) {
            sb.append(c);
          } else if (Character.isHighSurrogate(c)
              && k + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(k + 1))) {
            sb.append(c).append(s.charAt(++k));
          } else {
            sb.append('?');
          }
        }
      }
    }
    return sb.toString();
  }
}
