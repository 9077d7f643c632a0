package dev.prodguard.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Splits SQL text into statements with full knowledge of the dialect's lexical rules: quotes,
 * {@code E''} strings, dollar quotes, (nested) block comments, line comments, backticks, the MySQL
 * {@code DELIMITER} command, routine bodies ({@code BEGIN ... END}, {@code BEGIN ATOMIC}) and
 * {@code COPY ... FROM stdin} data. One pass, no backtracking: linear in the input.
 */
public final class Splitter {
  private static final int TRACKED_WORDS = 8;

  /** After CREATE, these mean the statement is not a routine even if a word like EVENT follows. */
  private static final java.util.Set<String> NOT_ROUTINE =
      java.util.Set.of(
          "TABLE",
          "VIEW",
          "INDEX",
          "UNIQUE",
          "SCHEMA",
          "DATABASE",
          "USER",
          "ROLE",
          "SEQUENCE",
          "TEMPORARY",
          "TEMP",
          "TYPE",
          "DOMAIN",
          "EXTENSION",
          "SERVER",
          "TABLESPACE",
          "POLICY",
          "MATERIALIZED");

  private final SqlSyntax syntax;

  public Splitter(SqlSyntax syntax) {
    this.syntax = syntax;
  }

  public List<SqlStatement> split(SourceFile source) {
    List<SqlStatement> out = new ArrayList<>();
    split(source, 0, source.text().length(), out::add);
    return out;
  }

  /** Splits {@code [from, to)} of the source (e.g. a routine body), streaming the statements. */
  public void split(SourceFile source, int from, int to, Consumer<SqlStatement> sink) {
    new Run(source, from, to, sink).run();
  }

  private final class Run {
    final SourceFile source;
    final String t;
    final int from;
    final int to;
    final Consumer<SqlStatement> sink;

    String delimiter = ";";
    int stmtStart = -1;
    String problem;
    final String[] words = new String[TRACKED_WORDS];
    int wordCount;
    String previousWord = "";
    boolean routine; // a CREATE FUNCTION/PROCEDURE/TRIGGER/EVENT or an anonymous block
    int depth;
    boolean copyFromStdin;
    boolean notRoutine;

    Run(SourceFile source, int from, int to, Consumer<SqlStatement> sink) {
      this.source = source;
      this.t = source.text();
      this.from = from;
      this.to = to;
      this.sink = sink;
    }

    void run() {
      int i = from;
      while (i < to) {
        char c = t.charAt(i);
        if (stmtStart < 0 && syntax.delimiterCommand && (c == 'd' || c == 'D')) {
          int next = delimiterCommand(i);
          if (next >= 0) {
            i = next;
            continue;
          }
        }
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || Character.isWhitespace(c)) {
          i++;
          continue;
        }
        char n = i + 1 < to ? t.charAt(i + 1) : '\0';
        if (c == '-'
            && n == '-'
            && (!syntax.mysqlComments || i + 2 >= to || t.charAt(i + 2) <= ' ')) {
          i = endOfLine(i);
          continue;
        }
        if (c == '#' && syntax.mysqlComments) {
          i = endOfLine(i);
          continue;
        }
        if (c == '/' && n == '*') {
          boolean executable =
              syntax.mysqlComments
                  && i + 2 < to
                  && (t.charAt(i + 2) == '!' || t.charAt(i + 2) == '+');
          if (executable && stmtStart < 0) {
            stmtStart = i;
          }
          int start = i;
          i = skipBlockComment(i);
          if (i < 0) {
            unterminated(start, "comment");
            i = to;
          }
          continue;
        }
        if (depth == 0 && c == delimiter.charAt(0) && t.startsWith(delimiter, i)) {
          emit(i);
          i += delimiter.length();
          if (copyFromStdin) {
            i = skipCopyData(i);
          }
          reset();
          continue;
        }
        if (stmtStart < 0) {
          stmtStart = i;
        }
        int start = i;
        switch (c) {
          case '\'' -> i = skipString(i, '\'', syntax.backslashEscapes);
          case '"' ->
              i = syntax.doubleQuotedStrings ? skipString(i, '"', true) : skipString(i, '"', false);
          case '`' -> i = syntax.mysqlComments ? skipString(i, '`', false) : i + 1;
          case '$' -> i = dollar(i);
          default -> {
            if (isIdentStart(c)) {
              i = word(i);
            } else if (c >= '0' && c <= '9') {
              i++;
              while (i < to && isIdentPart(t.charAt(i))) {
                i++;
              }
            } else {
              i++;
            }
          }
        }
        if (i < 0) {
          unterminated(start, c == '$' ? "dollar-quoted string" : "quoted text");
          i = to;
        }
      }
      if (stmtStart >= 0) {
        emit(to);
      }
    }

    /** MySQL {@code DELIMITER xx} at the start of a line; returns the offset after it or -1. */
    int delimiterCommand(int i) {
      if (i + 9 >= to || !t.regionMatches(true, i, "DELIMITER", 0, 9)) {
        return -1;
      }
      char after = t.charAt(i + 9);
      if (after != ' ' && after != '\t') {
        return -1;
      }
      int j = i + 9;
      while (j < to && (t.charAt(j) == ' ' || t.charAt(j) == '\t')) {
        j++;
      }
      int k = j;
      while (k < to && !Character.isWhitespace(t.charAt(k))) {
        k++;
      }
      if (k == j) {
        stmtStart = i;
        problem = "DELIMITER without a delimiter";
        return -1;
      }
      delimiter = t.substring(j, k);
      return endOfLine(k);
    }

    int endOfLine(int i) {
      int e = t.indexOf('\n', i);
      return e < 0 || e >= to ? to : e + 1;
    }

    /** Returns the offset after the comment, or -1 when it never closes. */
    int skipBlockComment(int i) {
      int level = 1;
      int j = i + 2;
      while (j < to) {
        char c = t.charAt(j);
        if (c == '*' && j + 1 < to && t.charAt(j + 1) == '/') {
          j += 2;
          if (--level == 0) {
            return j;
          }
        } else if (syntax.nestedComments && c == '/' && j + 1 < to && t.charAt(j + 1) == '*') {
          level++;
          j += 2;
        } else {
          j++;
        }
      }
      return -1;
    }

    /** A quoted run with doubled-quote escapes (and backslash escapes when asked). */
    int skipString(int i, char quote, boolean backslash) {
      int j = i + 1;
      while (j < to) {
        char c = t.charAt(j);
        if (backslash && c == '\\') {
          j += 2;
        } else if (c == quote) {
          if (j + 1 < to && t.charAt(j + 1) == quote) {
            j += 2;
          } else {
            return j + 1;
          }
        } else {
          j++;
        }
      }
      return -1;
    }

    /** {@code $tag$...$tag$} on PostgreSQL; {@code $1}, {@code ${placeholder}} are not quotes. */
    int dollar(int i) {
      if (!syntax.dollarQuotes || (i > from && isIdentPart(t.charAt(i - 1)))) {
        return i + 1;
      }
      int j = i + 1;
      if (j < to && isIdentStart(t.charAt(j))) {
        while (j < to && isIdentPart(t.charAt(j)) && t.charAt(j) != '$') {
          j++;
        }
      }
      if (j >= to || t.charAt(j) != '$') {
        return i + 1;
      }
      String tag = t.substring(i, j + 1);
      int close = t.indexOf(tag, j + 1);
      if (close < 0 || close + tag.length() > to) {
        return -1;
      }
      return close + tag.length();
    }

    int word(int i) {
      int j = i + 1;
      // a custom delimiter such as $$ may follow a word directly (END$$)
      boolean delimiterInWords = isIdentPart(delimiter.charAt(0));
      while (j < to
          && isIdentPart(t.charAt(j))
          && !(delimiterInWords && t.startsWith(delimiter, j))) {
        j++;
      }
      int len = j - i;
      if (len == 1 && (t.charAt(i) == 'E' || t.charAt(i) == 'e') && j < to && t.charAt(j) == '\'') {
        return skipString(j, '\'', true);
      }
      if (wordCount < TRACKED_WORDS || routine || copyCandidate()) {
        track(t.substring(i, j).toUpperCase(Locale.ROOT));
      }
      return j;
    }

    boolean copyCandidate() {
      return syntax.dollarQuotes && wordCount > 0 && "COPY".equals(words[0]);
    }

    void track(String w) {
      if (wordCount < TRACKED_WORDS) {
        words[wordCount] = w;
      }
      wordCount++;
      if (wordCount > 1 && wordCount <= TRACKED_WORDS && "CREATE".equals(words[0])) {
        boolean routineWord =
            syntax.dollarQuotes
                ? w.equals("FUNCTION") || w.equals("PROCEDURE")
                : w.equals("PROCEDURE")
                    || w.equals("FUNCTION")
                    || w.equals("TRIGGER")
                    || w.equals("EVENT");
        if (NOT_ROUTINE.contains(w)) {
          notRoutine = true;
        } else if (routineWord && !routine && !notRoutine && delimiter.equals(";")) {
          routine = true;
        }
      }
      if (syntax.dollarQuotes && "COPY".equals(words[0]) && w.equals("STDIN")) {
        copyFromStdin = true;
      }
      if (!syntax.dollarQuotes
          && wordCount == 3
          && "BEGIN".equals(words[0])
          && "NOT".equals(words[1])
          && w.equals("ATOMIC")
          && delimiter.equals(";")) {
        routine = true; // MariaDB anonymous block: BEGIN NOT ATOMIC ... END
        depth = 1;
      } else if (routine) {
        compound(w);
      }
      previousWord = w;
    }

    void compound(String w) {
      if (syntax.dollarQuotes) {
        if (w.equals("ATOMIC") && previousWord.equals("BEGIN")) {
          depth++;
        } else if (depth > 0 && w.equals("CASE")) {
          depth++;
        } else if (depth > 0 && w.equals("END")) {
          depth--;
        }
        return;
      }
      switch (w) {
        case "BEGIN" -> depth++;
        case "CASE" -> {
          if (!previousWord.equals("END")) {
            depth++;
          }
        }
        case "END" -> depth = Math.max(0, depth - 1);
        case "IF", "LOOP", "WHILE", "REPEAT" -> {
          if (previousWord.equals("END")) {
            depth++; // END IF closes an IF, not a block: undo
          }
        }
        default -> {}
      }
    }

    /** After {@code COPY ... FROM stdin;} the data runs to a line holding {@code \.}. */
    int skipCopyData(int i) {
      int j = i;
      while (j < to) {
        int eol = t.indexOf('\n', j);
        int lineEnd = eol < 0 || eol >= to ? to : eol;
        String line = t.substring(j, lineEnd).strip();
        if (line.equals("\\.")) {
          return lineEnd;
        }
        j = lineEnd + 1;
      }
      return to;
    }

    void unterminated(int at, String what) {
      if (stmtStart < 0) {
        stmtStart = at;
      }
      problem =
          "unterminated "
              + what
              + " starting at line "
              + source.line(at)
              + ", column "
              + source.column(at);
    }

    void emit(int end) {
      if (stmtStart < 0) {
        if (problem != null) {
          stmtStart = end;
        } else {
          return;
        }
      }
      int e = end;
      while (e > stmtStart && Character.isWhitespace(t.charAt(e - 1))) {
        e--;
      }
      sink.accept(
          new SqlStatement(
              source, stmtStart, e, source.line(stmtStart), source.column(stmtStart), problem));
    }

    void reset() {
      stmtStart = -1;
      problem = null;
      wordCount = 0;
      previousWord = "";
      routine = false;
      depth = 0;
      copyFromStdin = false;
      notRoutine = false;
    }
  }

  static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
  }

  static boolean isIdentPart(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
  }
}
