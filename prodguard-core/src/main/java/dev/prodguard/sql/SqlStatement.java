package dev.prodguard.sql;

/**
 * One statement of a SQL file: the text between delimiters, from its first code character.
 *
 * @param problem non-null when the statement is malformed (e.g. an unterminated string): such a
 *     statement cannot be trusted and classifies as unknown
 */
public record SqlStatement(
    SourceFile source, int start, int end, int line, int column, String problem) {

  public String file() {
    return source.name();
  }

  public String text() {
    return source.text().substring(start, end);
  }

  /** The first line(s) of the statement, whitespace collapsed, at most {@code max} characters. */
  public String excerpt(int max) {
    StringBuilder sb = new StringBuilder();
    boolean space = false;
    String t = source.text();
    for (int i = start; i < end && sb.length() < max; i++) {
      char c = t.charAt(i);
      if (Character.isWhitespace(c)) {
        space = true;
        continue;
      }
      if (space && sb.length() > 0) {
        sb.append(' ');
      }
      space = false;
      sb.append(c);
    }
    if (sb.length() >= max) {
      sb.setLength(max - 3);
      sb.append("...");
    }
    return sb.toString();
  }
}
