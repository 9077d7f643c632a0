package dev.prodguard.scan;

import dev.prodguard.scan.read.CodeView;
import dev.prodguard.scan.read.SettingsReader;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One text file of the scanned repository with lazily computed views: comment-free code, settings,
 * line index. Used by one thread at a time.
 */
public final class ScanFile {
  private final String path;
  private final FileKind kind;
  private final String text;
  private String code;
  private String codeLower;
  private int[] lineStarts;
  private List<Setting> settings;

  public ScanFile(String path, String text) {
    this(path, FileKind.of(path, text), text);
  }

  public ScanFile(String path, FileKind kind, String text) {
    this.path = path;
    this.kind = kind;
    this.text = text;
  }

  /** Relative to the scanned directory, forward slashes. */
  public String path() {
    return path;
  }

  public FileKind kind() {
    return kind;
  }

  public String text() {
    return text;
  }

  /** The text with comments blanked; same length and line breaks as {@link #text()}. */
  public String code() {
    if (code == null) {
      code = CodeView.strip(text, kind);
    }
    return code;
  }

  public String codeLower() {
    if (codeLower == null) {
      codeLower = code().toLowerCase(Locale.ROOT);
    }
    return codeLower;
  }

  public List<Setting> settings() {
    if (settings == null) {
      settings = SettingsReader.read(this);
    }
    return settings;
  }

  public boolean isTest() {
    return RepoPaths.isTest(path);
  }

  public boolean isCiConfig() {
    return RepoPaths.isCiConfig(path);
  }

  public Optional<String> fileProfile() {
    return RepoPaths.fileProfile(path);
  }

  /**
   * A line at least this long in a web asset is minified (or generated) code: no one writes or
   * reviews code a thousand characters to the line.
   */
  static final int MINIFIED_LINE = 1000;

  /**
   * Whether {@code offset} is in minified third-party web code: the file is a web asset by name
   * ({@code .js}, {@code .mjs}, {@code .cjs}, {@code .css}, or a {@code .map} source map, without a
   * {@code #!} line that would make it a script) and the line holding the offset is at least
   * {@value #MINIFIED_LINE} characters long. Judged per line, so the hand-written parts of a
   * concatenated bundle are read as code. The rules that use it say what they still report there
   * (docs/scan.md).
   */
  public boolean isMinifiedWebCodeAt(int offset) {
    if (!RepoPaths.isWebAsset(path) || text.startsWith("#!")) {
      return false;
    }
    int line = line(offset);
    int[] starts = lineStarts();
    int end = line < starts.length ? starts[line] - 1 : text.length();
    return end - starts[line - 1] >= MINIFIED_LINE;
  }

  /** 1-based line of a character offset. */
  public int line(int offset) {
    int[] starts = lineStarts();
    int i = Arrays.binarySearch(starts, offset);
    return (i >= 0 ? i : -i - 2) + 1;
  }

  /** 1-based column of a character offset. */
  public int column(int offset) {
    return offset - lineStarts()[line(offset) - 1] + 1;
  }

  /** The text of a 1-based line, without its line break. */
  public String lineText(int line) {
    int[] starts = lineStarts();
    if (line < 1 || line > starts.length) {
      return "";
    }
    int start = starts[line - 1];
    int end = line < starts.length ? starts[line] - 1 : text.length();
    if (end > start && text.charAt(end - 1) == '\r') {
      end--;
    }
    return text.substring(start, Math.max(start, end));
  }

  private int[] lineStarts() {
    if (lineStarts == null) {
      int count = 1;
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) == '\n') {
          count++;
        }
      }
      int[] starts = new int[count];
      int k = 1;
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) == '\n') {
          starts[k++] = i + 1;
        }
      }
      lineStarts = starts;
    }
    return lineStarts;
  }
}
