package dev.prodguard.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Splits SQL text into statements where the server and Flyway would: the server's lexical rules
 * come from {@link Scanner} (quotes, {@code E''} strings, dollar quotes, comments and how they end
 * and nest, executable comments), the statement boundaries from Flyway's parsers (the {@code
 * DELIMITER} command, routine bodies {@code BEGIN ... END} and {@code BEGIN ATOMIC}, {@code COPY
 * ... FROM stdin} data). A statement holding something prodguard cannot be sure the server reads
 * the same way carries a {@link SqlStatement#problem()} naming it, its line and column. One pass,
 * no backtracking: linear in the input.
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
    boolean endFor; // the last two words were END FOR

    Run(SourceFile source, int from, int to, Consumer<SqlStatement> sink) {
      this.source = source;
      this.t = source.text();
      this.from = from;
      this.to = to;
      this.sink = sink;
    }

    void run() {
      Scanner sc = new Scanner(t, to, syntax);
      int i = from;
      while (true) {
        i = sc.skip(i);
        take(sc);
        if (i >= to) {
          break;
        }
        char c = t.charAt(i);
        if (stmtStart < 0 && syntax.delimiterCommand && (c == 'd' || c == 'D')) {
          int next = delimiterCommand(i);
          if (next >= 0) {
            i = next;
            continue;
          }
        }
        if (c == delimiter.charAt(0) && t.startsWith(delimiter, i)) {
          if (sc.inExecutable) {
            note(
                i,
                "a statement delimiter inside an executable comment: the server may run what"
                    + " follows as another statement");
          } else if (depth == 0) {
            emit(i);
            i += delimiter.length();
            if (copyFromStdin) {
              i = skipCopyData(i);
            }
            reset();
            continue;
          }
        }
        if (stmtStart < 0) {
          stmtStart = i;
        }
        Scanner.Kind kind = sc.read(i, delimiter);
        take(sc);
        if (kind == Scanner.Kind.WORD
            && (wordCount < TRACKED_WORDS || routine || copyCandidate())) {
          track(t.substring(sc.start, sc.end).toUpperCase(Locale.ROOT));
        }
        i = sc.end;
      }
      if (sc.inExecutable) {
        note(sc.executableStart, "unterminated executable comment");
      }
      if (stmtStart >= 0 || problem != null) {
        emit(to);
      }
    }

    /** Moves the scanner's problem to the statement (a problem outside one starts one). */
    void take(Scanner sc) {
      if (sc.problem != null) {
        note(sc.problemAt, sc.problem);
        sc.clearProblem();
      }
    }

    /**
     * Flyway's {@code DELIMITER xx} (MySQL parser): the rest of the line, trimmed, is the new
     * delimiter. Returns the offset after it, or -1 when this is not the command.
     */
    int delimiterCommand(int i) {
      if (i + 9 > to
          || !t.regionMatches(true, i, "DELIMITER", 0, 9)
          || (i + 9 < to && isIdentPart(t.charAt(i + 9)))) {
        return -1;
      }
      int lineEnd = i + 9;
      while (lineEnd < to && t.charAt(lineEnd) != '\n' && t.charAt(lineEnd) != '\r') {
        lineEnd++;
      }
      String d = t.substring(i + 9, lineEnd).trim();
      if (d.isEmpty()) {
        note(i, "DELIMITER without a delimiter on its line");
        return -1;
      }
      delimiter = d;
      return lineEnd;
    }

    /**
     * After {@code COPY ... FROM stdin;} (as Flyway reads it) the rest of that line is skipped and
     * the data runs to a line holding only {@code \.}.
     */
    int skipCopyData(int i) {
      int j = t.indexOf('\n', i);
      if (j < 0 || j >= to) {
        return to;
      }
      j++;
      int dataStart = j;
      while (j < to) {
        int eol = t.indexOf('\n', j);
        int lineEnd = eol < 0 || eol >= to ? to : eol;
        if (isCopyEnd(j, lineEnd)) {
          return lineEnd;
        }
        j = lineEnd + 1;
      }
      stmtStart = dataStart;
      note(dataStart, "COPY data without a terminating \\. line");
      emit(to);
      stmtStart = -1;
      problem = null;
      return to;
    }

    /** The line holds {@code \.} and only characters that {@code String.trim()} drops. */
    boolean isCopyEnd(int from, int lineEnd) {
      int a = from;
      int b = lineEnd;
      while (a < b && t.charAt(a) <= ' ') {
        a++;
      }
      while (b > a && t.charAt(b - 1) <= ' ') {
        b--;
      }
      return b - a == 2 && t.charAt(a) == '\\' && t.charAt(a + 1) == '.';
    }

    /** The first problem of the statement, with where it is. */
    void note(int at, String what) {
      if (stmtStart < 0) {
        stmtStart = at;
      }
      if (problem == null) {
        problem = what + " at line " + source.line(at) + ", column " + source.column(at);
      }
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
      boolean afterEndFor = endFor;
      endFor = false;
      switch (w) {
        case "BEGIN" -> depth++;
        case "CASE" -> {
          if (!previousWord.equals("END")) {
            depth++;
          }
        }
        case "END" -> depth = Math.max(0, depth - 1);
        case "IF", "LOOP", "WHILE", "REPEAT", "FOR" -> {
          if (previousWord.equals("END")) {
            depth++; // END IF (END FOR: MariaDB 10.3+) closes an IF, not a block: undo
            endFor = w.equals("FOR");
          }
        }
        case "UPDATE" -> {
          if (afterEndFor) {
            depth--; // CASE ... END FOR UPDATE: the lock clause after a CASE expression, not a loop
          }
        }
        default -> {}
      }
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
      while (e > stmtStart && syntax.isSpace(t.charAt(e - 1))) {
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
      endFor = false;
    }
  }

  static boolean isIdentStart(char c) {
    return Scanner.isIdentStart(c);
  }

  static boolean isIdentPart(char c) {
    return Scanner.isIdentPart(c);
  }
}
