package dev.prodguard.scan;

import java.util.Comparator;

/**
 * One result of {@code prodguard scan}.
 *
 * @param path relative to the scanned directory, forward slashes
 * @param line 1-based; 0 when the finding is about a whole file that does not exist
 * @param column 1-based; 0 when unknown
 * @param excerpt the source line, redacted (never a password)
 * @param message what was found, why it matters and what to do instead
 */
public record Finding(
    String rule,
    Severity severity,
    String path,
    int line,
    int column,
    String excerpt,
    String message) {

  public static final Comparator<Finding> ORDER =
      Comparator.comparing(Finding::path)
          .thenComparingInt(Finding::line)
          .thenComparingInt(Finding::column)
          .thenComparing(Finding::rule);

  /** {@code path:line:column}, the way editors and the fixture files name a position. */
  public String position() {
    return path + ":" + line + ":" + column;
  }
}
