package dev.prodguard.scan.read;

import dev.prodguard.scan.FileKind;

/**
 * The text of a file with its comments blanked out (replaced by spaces, line breaks kept), so that
 * offsets, lines and columns stay those of the original. A commented-out flag is not a flag; a
 * string that contains one is.
 */
public final class CodeView {
  private CodeView() {}

  public static String strip(String text, FileKind kind) {
    return switch (kind) {
      case JAVA, KOTLIN, GROOVY, GRADLE, JSON, PACKAGE_JSON -> cStyle(text, kind);
      case SHELL, MAKEFILE, DOCKERFILE, DOTENV, TOML, YAML -> hash(text);
      case PROPERTIES -> properties(text);
      case WINDOWS_SCRIPT -> windows(text);
      case SQL -> sql(text);
      case MAVEN_POM, XML -> xml(text);
      case DOC, OTHER -> text;
    };
  }

  private static void blank(char[] c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (c[i] != '\n' && c[i] != '\r') {
        c[i] = ' ';
      }
    }
  }

  private static String cStyle(String text, FileKind kind) {
    char[] c = text.toCharArray();
    int n = c.length;
    boolean singleQuotedStrings = kind == FileKind.GROOVY || kind == FileKind.GRADLE;
    int i = 0;
    while (i < n) {
      char ch = c[i];
      if (ch == '/' && i + 1 < n && c[i + 1] == '/') {
        int end = i;
        while (end < n && c[end] != '\n') {
          end++;
        }
        blank(c, i, end);
        i = end;
      } else if (ch == '/' && i + 1 < n && c[i + 1] == '*') {
        int end = text.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        blank(c, i, end);
        i = end;
      } else if (ch == '"' && text.startsWith("\"\"\"", i)) {
        int end = text.indexOf("\"\"\"", i + 3);
        i = end < 0 ? n : end + 3;
      } else if (ch == '\'' && singleQuotedStrings && text.startsWith("'''", i)) {
        int end = text.indexOf("'''", i + 3);
        i = end < 0 ? n : end + 3;
      } else if (ch == '"' || ch == '\'') {
        i = skipQuoted(c, i, ch);
      } else {
        i++;
      }
    }
    return new String(c);
  }

  /** Index after the closing quote (or the end of the line for an unterminated literal). */
  private static int skipQuoted(char[] c, int start, char quote) {
    int i = start + 1;
    while (i < c.length && c[i] != '\n') {
      if (c[i] == '\\') {
        i += 2;
        continue;
      }
      if (c[i] == quote) {
        return i + 1;
      }
      i++;
    }
    return i;
  }

  /** {@code #} comments of shell, YAML, TOML, Makefiles, dotenv: at a word start, not quoted. */
  private static String hash(String text) {
    char[] c = text.toCharArray();
    int n = c.length;
    int lineStart = 0;
    while (lineStart < n) {
      int lineEnd = lineStart;
      while (lineEnd < n && c[lineEnd] != '\n') {
        lineEnd++;
      }
      char quote = 0;
      for (int i = lineStart; i < lineEnd; i++) {
        char ch = c[i];
        if (quote != 0) {
          if (ch == '\\' && quote == '"') {
            i++;
          } else if (ch == quote) {
            quote = 0;
          }
          continue;
        }
        boolean wordStart = i == lineStart || " \t=:([{,;|&".indexOf(c[i - 1]) >= 0;
        if ((ch == '"' || ch == '\'') && wordStart) {
          quote = ch;
        } else if (ch == '#' && (i == lineStart || c[i - 1] == ' ' || c[i - 1] == '\t')) {
          blank(c, i, lineEnd);
          break;
        }
      }
      lineStart = lineEnd + 1;
    }
    return new String(c);
  }

  private static String properties(String text) {
    char[] c = text.toCharArray();
    int n = c.length;
    int lineStart = 0;
    boolean continued = false;
    while (lineStart < n) {
      int lineEnd = lineStart;
      while (lineEnd < n && c[lineEnd] != '\n') {
        lineEnd++;
      }
      int first = lineStart;
      while (first < lineEnd && (c[first] == ' ' || c[first] == '\t' || c[first] == '\f')) {
        first++;
      }
      boolean comment = !continued && first < lineEnd && (c[first] == '#' || c[first] == '!');
      if (comment) {
        blank(c, first, lineEnd);
        continued = false;
      } else {
        int last = lineEnd - 1;
        while (last >= lineStart && (c[last] == '\r' || c[last] == ' ')) {
          last--;
        }
        int slashes = 0;
        for (int i = last; i >= lineStart && c[i] == '\\'; i--) {
          slashes++;
        }
        continued = slashes % 2 == 1;
      }
      lineStart = lineEnd + 1;
    }
    return new String(c);
  }

  private static String windows(String text) {
    char[] c = text.toCharArray();
    int n = c.length;
    int lineStart = 0;
    while (lineStart < n) {
      int lineEnd = lineStart;
      while (lineEnd < n && c[lineEnd] != '\n') {
        lineEnd++;
      }
      int first = lineStart;
      while (first < lineEnd && (c[first] == ' ' || c[first] == '\t' || c[first] == '@')) {
        first++;
      }
      String rest = text.substring(first, lineEnd).toLowerCase(java.util.Locale.ROOT);
      if (rest.startsWith("::") || rest.startsWith("rem ") || rest.equals("rem")) {
        blank(c, first, lineEnd);
      }
      lineStart = lineEnd + 1;
    }
    return new String(c);
  }

  private static String sql(String text) {
    char[] c = text.toCharArray();
    int n = c.length;
    int i = 0;
    while (i < n) {
      char ch = c[i];
      if (ch == '-' && i + 1 < n && c[i + 1] == '-') {
        int end = i;
        while (end < n && c[end] != '\n') {
          end++;
        }
        blank(c, i, end);
        i = end;
      } else if (ch == '/' && i + 1 < n && c[i + 1] == '*') {
        int end = text.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        blank(c, i, end);
        i = end;
      } else if (ch == '\'' || ch == '"') {
        int end = text.indexOf(ch, i + 1);
        i = end < 0 ? n : end + 1;
      } else {
        i++;
      }
    }
    return new String(c);
  }

  private static String xml(String text) {
    char[] c = text.toCharArray();
    int i = text.indexOf("<!--");
    while (i >= 0) {
      int end = text.indexOf("-->", i + 4);
      end = end < 0 ? c.length : end + 3;
      blank(c, i, end);
      i = text.indexOf("<!--", end);
    }
    return new String(c);
  }
}
