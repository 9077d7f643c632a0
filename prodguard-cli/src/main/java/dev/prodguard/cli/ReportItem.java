package dev.prodguard.cli;

/**
 * A finding as the report writers see it, independent of what produced it (lint today, scan
 * tomorrow).
 *
 * @param level error, warning or info
 * @param file path relative to the report's base directory, forward slashes
 * @param suppressedBy the reviewed contract entry's reason when a contract exception covers it
 */
public record ReportItem(
    String rule,
    String level,
    String file,
    int line,
    int column,
    String message,
    String excerpt,
    String recipe,
    String suppressedBy) {

  public boolean blocking() {
    return "error".equals(level) && suppressedBy == null;
  }

  /** A rule's description for SARIF's rule table. */
  public record RuleInfo(String id, String summary, String recipe, String defaultLevel) {}
}
