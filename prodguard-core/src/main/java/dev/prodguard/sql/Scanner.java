package dev.prodguard.sql;

/**
 * One server's lexical rules over a range of SQL text: where whitespace, comments, quoted text and
 * tokens start and end. The {@link Splitter} and the {@link Lexer} both read through it, so that a
 * statement is cut and read by the same rules, and those are the server's (see {@link SqlSyntax}).
 *
 * <p>Whatever prodguard cannot be sure the server reads the same way is recorded as a problem (the
 * first one until {@link #clearProblem()}): a NUL character, invisible or space-like characters in
 * code, bidirectional-text controls, quoted text whose end depends on a server setting,
 * unterminated constructs. The statement holding it is then refused, never guessed at.
 */
final class Scanner {
  enum Kind {
    WORD,
    QUOTED_IDENT,
    STRING,
    NUMBER,
    DOLLAR_STRING,
    PLACEHOLDER,
    PUNCT,
    /** {@code /*!}, {@code /*!NNNNN}, {@code /*M!}, {@code /*M!NNNNNN}: what follows is code. */
    EXECUTABLE_OPEN,
    /** The {@code *\/} that ends an executable comment. */
    EXECUTABLE_CLOSE
  }

  private final String t;
  private final int to;
  private final SqlSyntax syntax;

  /** Inside a MariaDB executable comment (its content is code). */
  boolean inExecutable;

  int executableStart;

  /** The last token read. */
  int start;

  int end;

  /** The first problem since the last {@link #clearProblem()}, and its offset. */
  String problem;

  int problemAt;

  /** Set by {@link #scanQuoted}: the run held a backslash (so a setting could move its end). */
  private boolean sawBackslash;

  Scanner(String text, int to, SqlSyntax syntax) {
    this.t = text;
    this.to = to;
    this.syntax = syntax;
  }

  void clearProblem() {
    problem = null;
  }

  private void problem(int at, String what) {
    if (problem == null) {
      problem = what;
      problemAt = at;
    }
  }

  // ---- whitespace and comments ------------------------------------------------------------

  /** Offset of the next code character at or after {@code i} (or {@code to}). */
  int skip(int i) {
    while (i < to) {
      char c = t.charAt(i);
      if (syntax.isSpace(c)) {
        i++;
      } else if (c == '-' && i + 1 < to && t.charAt(i + 1) == '-' && dashComment(i)) {
        i = lineComment(i + 2);
      } else if (c == '#' && syntax.mysqlComments) {
        i = lineComment(i + 1);
      } else if (c == '/' && i + 1 < to && t.charAt(i + 1) == '*') {
        if (executableOpen(i) > 0) {
          return i;
        }
        i = blockComment(i);
      } else if (c == '\uFEFF' && i == 0) {
        i++; // a byte order mark at the start of the file: Flyway strips it
      } else {
        return i;
      }
    }
    return to;
  }

  /**
   * MariaDB: {@code --} starts a comment only before whitespace, a control character or the end.
   */
  private boolean dashComment(int i) {
    if (!syntax.mysqlComments || i + 2 >= t.length()) {
      return true;
    }
    char n = t.charAt(i + 2);
    return n <= ' ' || n == '\u007f';
  }

  private int lineComment(int i) {
    while (i < to) {
      char c = t.charAt(i);
      if (c == '\n') {
        return i;
      }
      if (c == '\r') {
        if (syntax.carriageReturnEndsLineComment) {
          return i;
        }
        if (i + 1 >= t.length() || t.charAt(i + 1) != '\n') {
          problem(
              i,
              "a carriage return without a line feed inside a line comment: Flyway ends the"
                  + " comment there, MariaDB does not");
        }
      } else if (c < ' ' || c >= '\u061c') {
        hidden(c, i);
      }
      i++;
    }
    return to;
  }

  private int blockComment(int i) {
    int level = 1;
    int j = i + 2;
    while (j < to) {
      char c = t.charAt(j);
      if (c == '*' && j + 1 < to && t.charAt(j + 1) == '/') {
        j += 2;
        if (--level == 0) {
          return j;
        }
        continue;
      }
      if (c == '/' && j + 1 < to && t.charAt(j + 1) == '*') {
        if (syntax.nestedComments) {
          level++;
          j += 2;
          continue;
        }
        if (inExecutable) {
          problem(
              j,
              "a comment opened inside a comment inside an executable comment: MariaDB reads it"
                  + " differently when it skips the comment's version");
        }
      } else if (c < ' ' || c >= '\u061c') {
        hidden(c, j);
      }
      j++;
    }
    problem(i, "unterminated comment");
    return to;
  }

  /** Length of an executable comment's opener at {@code i} ({@code /*!}, {@code /*M!}), or 0. */
  private int executableOpen(int i) {
    if (!syntax.executableComments || i + 2 >= to) {
      return 0;
    }
    char c = t.charAt(i + 2);
    if (c == '!') {
      return 3;
    }
    return c == 'M' && i + 3 < to && t.charAt(i + 3) == '!' ? 4 : 0;
  }

  // ---- tokens --------------------------------------------------------------------------------

  /**
   * Reads the token at code offset {@code i} (as returned by {@link #skip}) and returns its kind;
   * {@link #start} and {@link #end} bound it.
   *
   * @param delimiterInWords a custom delimiter that may end a word ({@code END$$}), or null
   */
  Kind read(int i, String delimiterInWords) {
    start = i;
    char c = t.charAt(i);
    char n = i + 1 < to ? t.charAt(i + 1) : '\0';
    if (c == '*' && n == '/' && inExecutable) {
      inExecutable = false;
      end = i + 2;
      return Kind.EXECUTABLE_CLOSE;
    }
    if (c == '/' && n == '*') {
      return executable(i);
    }
    switch (c) {
      case '\'':
        return string(i);
      case '"':
        if (syntax.doubleQuotedStrings) {
          return string(i);
        }
        end = quoted(i, '"', false, "unterminated quoted identifier");
        return Kind.QUOTED_IDENT;
      case '`':
        if (syntax.mysqlComments) {
          end = quoted(i, '`', false, "unterminated quoted identifier");
          return Kind.QUOTED_IDENT;
        }
        break;
      case '$':
        if (n == '{') {
          return placeholder(i);
        }
        if (syntax.dollarQuotes) {
          return dollar(i);
        }
        break;
      default:
        break;
    }
    if (isIdentStart(c) || (c == '$' && syntax.dollarInIdentifiers)) {
      return word(i, delimiterInWords);
    }
    if (c >= '0' && c <= '9') {
      return number(i);
    }
    if ((c == ':' && n == '=') || (c == '<' && n == '<') || (c == '>' && n == '>')) {
      end = i + 2;
      return Kind.PUNCT;
    }
    if (c < ' ' || c == '\u007f') {
      problem(
          i,
          String.format(
              "control character U+%04X outside a string or comment: servers and tools read it"
                  + " differently",
              (int) c));
    }
    end = i + 1;
    return Kind.PUNCT;
  }

  private Kind executable(int i) {
    int open = executableOpen(i);
    if (open == 0) {
      end = i + 1; // unreachable: skip() consumed every other comment
      return Kind.PUNCT;
    }
    if (inExecutable) {
      problem(i, "an executable comment inside an executable comment");
    }
    inExecutable = true;
    executableStart = i;
    int j = i + open;
    // the version: exactly 5 digits, or 6 (MariaDB), as sql_lex.cc reads it
    if (j + 5 <= to && digits(j, 5)) {
      j += 5;
      if (j < to && Character.isDigit(t.charAt(j))) {
        j++;
      }
    }
    end = j;
    return Kind.EXECUTABLE_OPEN;
  }

  private boolean digits(int from, int count) {
    for (int k = from; k < from + count; k++) {
      char d = t.charAt(k);
      if (d < '0' || d > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code '...'} (and MariaDB's {@code "..."}): read as the server does by default, and refused
   * when a server setting would move its end (PostgreSQL's {@code standard_conforming_strings} off,
   * MariaDB's {@code NO_BACKSLASH_ESCAPES} or {@code ANSI_QUOTES}).
   */
  private Kind string(int i) {
    char q = t.charAt(i);
    boolean escapes = syntax.backslashEscapes;
    int e = scanQuoted(i, q, escapes);
    boolean backslash = sawBackslash;
    if (e < 0) {
      problem(i, "unterminated string");
      end = to;
    } else {
      end = e;
    }
    if (backslash) {
      int other = scanQuoted(i, q, !escapes);
      if (other != e) {
        problem(
            i,
            escapes
                ? "a backslash before a quote: MariaDB reads this text differently with sql_mode"
                    + " NO_BACKSLASH_ESCAPES or ANSI_QUOTES (write '' for a quote in a string)"
                : "a backslash before a quote: PostgreSQL reads this string differently when"
                    + " standard_conforming_strings is off (write '' for a quote, or use E'...')");
      }
    }
    return Kind.STRING;
  }

  /** The end of a quoted run, or {@code to} with a problem when it never closes. */
  private int quoted(int i, char q, boolean backslash, String unterminated) {
    int e = scanQuoted(i, q, backslash);
    if (e < 0) {
      problem(i, unterminated);
      return to;
    }
    return e;
  }

  /** The end of a quoted run with doubled-quote escapes (and backslash escapes), or -1. */
  private int scanQuoted(int i, char q, boolean backslash) {
    sawBackslash = false;
    int j = i + 1;
    while (j < to) {
      char c = t.charAt(j);
      if (c == q) {
        if (j + 1 < to && t.charAt(j + 1) == q) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      if (c == '\\') {
        sawBackslash = true;
        j += backslash ? 2 : 1;
        continue;
      }
      if (c < ' ' || c >= '\u061c') {
        hidden(c, j);
      }
      j++;
    }
    return -1;
  }

  /** Flyway's {@code ${name}}, replaced before the server sees the text. */
  private Kind placeholder(int i) {
    int close = t.indexOf('}', i + 2);
    if (close < 0 || close >= to) {
      problem(i, "unterminated Flyway placeholder");
      end = to;
    } else {
      end = close + 1;
    }
    return Kind.PLACEHOLDER;
  }

  /**
   * PostgreSQL: {@code $tag$...$tag$} (a tag starts with a letter or {@code _}, never a digit, and
   * holds no {@code $}), or a {@code $1} parameter, or a lone {@code $}.
   */
  private Kind dollar(int i) {
    int j = i + 1;
    if (j < to && isIdentStart(t.charAt(j))) {
      j++;
      while (j < to && (isIdentStart(t.charAt(j)) || isDigit(t.charAt(j)))) {
        j++;
      }
    }
    if (j < to && t.charAt(j) == '$') {
      String tag = t.substring(i, j + 1);
      int close = t.indexOf(tag, j + 1);
      if (close < 0 || close + tag.length() > to) {
        problem(i, "unterminated dollar-quoted string");
        end = to;
      } else {
        for (int k = j + 1; k < close; k++) {
          char c = t.charAt(k);
          if (c < ' ' || c >= '\u061c') {
            hidden(c, k);
          }
        }
        end = close + tag.length();
      }
      return Kind.DOLLAR_STRING;
    }
    j = i + 1;
    while (j < to && isDigit(t.charAt(j))) {
      j++;
    }
    end = j;
    if (j > i + 1) {
      junk(j);
      return Kind.NUMBER; // $1 parameter
    }
    return Kind.PUNCT;
  }

  private Kind word(int i, String delimiterInWords) {
    boolean stopAtDelimiter = delimiterInWords != null && isIdentPart(delimiterInWords.charAt(0));
    int j = i;
    while (j < to) {
      char c = t.charAt(j);
      if (!isIdentPart(c) || (stopAtDelimiter && j > i && t.startsWith(delimiterInWords, j))) {
        break;
      }
      if (c >= 0x80) {
        confusable(c, j);
      }
      j++;
    }
    end = j;
    if (syntax.escapeStringPrefix
        && j - i == 1
        && (t.charAt(i) == 'U' || t.charAt(i) == 'u')
        && j + 1 < to
        && t.charAt(j) == '&'
        && (t.charAt(j + 1) == '"' || t.charAt(j + 1) == '\'')) {
      return unicodeEscaped(i, j + 1);
    }
    if (syntax.escapeStringPrefix
        && j - i == 1
        && (t.charAt(i) == 'E' || t.charAt(i) == 'e')
        && j < to
        && t.charAt(j) == '\'') {
      end = quoted(j, '\'', true, "unterminated string");
      return Kind.STRING;
    }
    return Kind.WORD;
  }

  /**
   * PostgreSQL's {@code U&"d\0061ta"} (an identifier) and {@code U&'...'} (a string): the escapes
   * name characters, so the identifier is read decoded ({@link Token#identifier()}). A {@code
   * UESCAPE} clause changes the escape character; it is refused rather than decoded.
   */
  private Kind unicodeEscaped(int i, int quote) {
    char q = t.charAt(quote);
    end =
        quoted(
            quote, q, false, q == '"' ? "unterminated quoted identifier" : "unterminated string");
    int k = end;
    while (k < to && syntax.isSpace(t.charAt(k))) {
      k++;
    }
    if (t.regionMatches(true, k, "UESCAPE", 0, 7)) {
      problem(
          k, "UESCAPE changes the escape character of a U& name or string: write the name plainly");
    }
    if (q == '"') {
      String decoded = Token.decodeUnicode(t.substring(quote + 1, Math.max(quote + 1, end - 1)));
      if (decoded == null) {
        problem(
            i, "a U& identifier with an escape prodguard cannot decode: write the name plainly");
      }
      return Kind.QUOTED_IDENT;
    }
    return Kind.STRING;
  }

  private Kind number(int i) {
    int j = i;
    if (!syntax.numericJunkIsError) {
      // MariaDB: 1abc is a name, 1e5 and 0x1F numbers; none hides a quote or a comment
      while (j < to && (isIdentPart(t.charAt(j)) || t.charAt(j) == '.')) {
        j++;
      }
      end = j;
      return Kind.NUMBER;
    }
    // PostgreSQL's scan.l: digits, an optional fraction, an optional exponent
    while (j < to && isDigit(t.charAt(j))) {
      j++;
    }
    if (j < to && t.charAt(j) == '.' && !(j + 1 < to && t.charAt(j + 1) == '.')) {
      j++;
      while (j < to && isDigit(t.charAt(j))) {
        j++;
      }
    }
    if (j < to && (t.charAt(j) == 'e' || t.charAt(j) == 'E')) {
      int k = j + 1;
      if (k < to && (t.charAt(k) == '+' || t.charAt(k) == '-')) {
        k++;
      }
      if (k < to && isDigit(t.charAt(k))) {
        j = k;
        while (j < to && isDigit(t.charAt(j))) {
          j++;
        }
      }
    }
    end = j;
    junk(j);
    return Kind.NUMBER;
  }

  /** PostgreSQL 15 rejects a number directly followed by a letter; earlier versions split it. */
  private void junk(int j) {
    if (syntax.numericJunkIsError && j < to && isIdentStart(t.charAt(j))) {
      problem(
          j,
          "a number directly followed by a letter: PostgreSQL versions read it differently (an"
              + " error since 15, two tokens before)");
    }
  }

  // ---- characters ----------------------------------------------------------------------------

  /** Inside comments and quoted text: NUL and bidirectional-text controls are refused. */
  private void hidden(char c, int at) {
    if (c == '\0') {
      problem(at, "a NUL character, which the server and the JDBC driver do not read as text");
    } else if (isBidiControl(c)) {
      problem(
          at,
          String.format(
              "an invisible bidirectional-text control (U+%04X): code would display differently"
                  + " from how the server reads it",
              (int) c));
    }
  }

  /**
   * In code, a non-ASCII character is part of a name for both servers; a space-like, invisible or
   * control one is refused: Flyway, editors and reviewers read it as a space or nothing.
   */
  private void confusable(char c, int at) {
    int type = Character.getType(c);
    if (type == Character.SPACE_SEPARATOR
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.FORMAT
        || type == Character.CONTROL) {
      problem(
          at,
          String.format(
              "invisible or space-like character U+%04X in code: the server reads it as part of a"
                  + " name, Flyway and editors as a space or nothing",
              (int) c));
    }
  }

  private static boolean isBidiControl(char c) {
    return c == '\u061c'
        || c == '\u200e'
        || c == '\u200f'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** PostgreSQL's {@code ident_start}: ASCII letters, {@code _} and every non-ASCII character. */
  static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
  }

  /** {@code ident_cont}: also digits and {@code $} (both servers). */
  static boolean isIdentPart(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$';
  }
}
