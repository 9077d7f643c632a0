package dev.prodguard.sql;

import java.util.Arrays;

/** A SQL file's text with a line index, so that any offset maps to line and column cheaply. */
public final class SourceFile {
  private final String name;
  private final String text;
  private final int[] lineStarts;

  public SourceFile(String name, String text) {
    this.name = name;
    this.text = text;
    int count = 1;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      count++;
    }
    lineStarts = new int[count];
    int l = 1;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      lineStarts[l++] = i + 1;
    }
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
