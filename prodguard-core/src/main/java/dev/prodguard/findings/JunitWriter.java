package dev.prodguard.findings;

import java.util.List;

/**
 * JUnit XML as CI servers show it: a passing test case per thing checked without findings (lint: a
 * file, scan: a rule), one test case per finding; uncovered errors are failures.
 */
public final class JunitWriter {
  /** A passing test case. */
  public record Case(String classname, String name) {}

  /**
   * The suite.
   *
   * @param name the suite's name ({@code prodguard lint})
   * @param tool the tool, for the class name of a finding's case ({@code prodguard.lint.RULE})
   * @param wrapped whether the document's root is {@code <testsuites>} around the one suite (lint's
   *     documented shape) or the {@code <testsuite>} itself (scan's)
   */
  public record Suite(String name, String tool, boolean wrapped) {}

  private JunitWriter() {}

  public static String write(Suite suite, List<Case> passing, List<Finding> findings) {
    long failures = findings.stream().filter(Finding::blocking).count();
    int tests = findings.size() + passing.size();
    String counts = " tests=\"" + tests + "\" failures=\"" + failures + "\" errors=\"0\"";
    String indent = suite.wrapped() ? "  " : "";
    StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (suite.wrapped()) {
      x.append("<testsuites name=\"").append(esc(suite.name())).append('"').append(counts);
      x.append(">\n");
    }
    x.append(indent)
        .append("<testsuite name=\"")
        .append(esc(suite.name()))
        .append('"')
        .append(counts)
        .append(" skipped=\"0\" time=\"0\">\n");
    for (Case c : passing) {
      x.append(indent)
          .append("  <testcase classname=\"")
          .append(esc(c.classname()))
          .append("\" name=\"")
          .append(esc(c.name()))
          .append("\" time=\"0\"/>\n");
    }
    for (Finding f : findings) {
      x.append(indent)
          .append("  <testcase classname=\"")
          .append(esc("prodguard." + suite.tool() + "." + f.rule()))
          .append("\" name=\"")
          .append(esc(f.position()))
          .append("\" file=\"")
          .append(esc(f.file()))
          .append("\" line=\"")
          .append(f.line())
          .append("\" time=\"0\">\n");
      String body =
          f.message()
              + "\n"
              + f.position()
              + "\n  "
              + f.excerpt()
              + (f.recipe() == null ? "" : "\nfix: " + f.recipe());
      x.append(indent).append("    ");
      if (f.blocking()) {
        x.append("<failure type=\"")
            .append(esc(f.rule()))
            .append("\" message=\"")
            .append(esc(f.message()))
            .append("\">")
            .append(esc(body))
            .append("</failure>\n");
      } else {
        String note =
            f.covered()
                ? "covered by a contract exception: " + f.coveredBy().reason() + "\n" + body
                : f.severity().id() + ": " + body;
        x.append("<system-out>").append(esc(note)).append("</system-out>\n");
      }
      x.append(indent).append("  </testcase>\n");
    }
    x.append(indent).append("</testsuite>\n");
    if (suite.wrapped()) {
      x.append("</testsuites>\n");
    }
    return x.toString();
  }

  /** XML 1.0 text: escapes markup; characters XML cannot carry become '?'. */
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
