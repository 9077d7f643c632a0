package dev.prodguard.sql;

import java.util.Arrays;

/**
 * A SQL file's text with a line index, so that any offset maps to line and column cheaply. Lines
 * end at LF, CRLF or a bare CR, as editors and SARIF count them (a bare CR ends a PostgreSQL
 * comment, so what follows it is reported on the line a reader sees it on).
 */
public final class SourceFile {
  private final String name;
  private final String text;
  private final int[] lineStarts;

  public SourceFile(String name, String text) {
    this.name = name;
    this.text = text;
    int[] starts = new int[16];
    int count = 1;
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if (c == '\n' || (c == '\r' && (i + 1 == n || text.charAt(i + 1) != '\n'))) {
        if (count == starts.length) {
          starts = Arrays.copyOf(starts, count * 2);
        }
        starts[count++] = i + 1;
      }
    }
    lineStarts = Arrays.copyOf(starts, count);
  }

  public String name() {
    return name;
  }

  public String text() {
    return text;
  }

  /** 1-based line of an offset. */
  public int line(int offset) {
    int i = Arrays.binarySearch(lineStarts, offset);
    return (i >= 0 ? i : -i - 2) + 1;
  }

  /** 1-based column of an offset (in UTF-16 units, as editors and SARIF count by default). */
  public int column(int offset) {
    return offset - lineStarts[line(offset) - 1] + 1;
  }
}
