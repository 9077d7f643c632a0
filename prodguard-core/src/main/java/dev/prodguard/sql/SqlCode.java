package dev.prodguard.sql;

/**
 * The code of SQL text as the server reads it: its tokens, without the comments and whitespace the
 * server skips (executable comments count as code). Used to check that the statement a migration
 * tool sends is the statement prodguard analysed.
 */
public final class SqlCode {
  private SqlCode() {}

  /**
   * True when the server reads {@code sent} as exactly the code of {@code statement}: the same
   * tokens in the same order, comments and whitespace aside, and nothing in {@code sent} that
   * prodguard cannot be sure how the server reads.
   */
  public static boolean same(SqlStatement statement, String sent, SqlSyntax syntax) {
    String text = statement.source().text();
    int start = statement.start();
    int length = statement.end() - start;
    int offset = sent.length() - length;
    if (offset >= 0 && sent.regionMatches(offset, text, start, length)) {
      // the same text, after nothing but comments and whitespace (a tool keeps leading comments)
      Scanner sc = new Scanner(sent, sent.length(), syntax);
      if (sc.skip(0) == offset && sc.problem == null) {
        return true;
      }
    }
    return sameTokens(text, start, statement.end(), sent, syntax);
  }

  private static boolean sameTokens(String text, int start, int end, String sent, SqlSyntax s) {
    Scanner a = new Scanner(text, end, s);
    Scanner b = new Scanner(sent, sent.length(), s);
    int i = start;
    int j = 0;
    while (true) {
      i = a.skip(i);
      j = b.skip(j);
      if (i >= end || j >= sent.length()) {
        return i >= end && j >= sent.length() && b.problem == null && !b.inExecutable;
      }
      Scanner.Kind ka = a.read(i, null);
      Scanner.Kind kb = b.read(j, null);
      int la = a.end - a.start;
      if (ka != kb
          || la != b.end - b.start
          || !text.regionMatches(a.start, sent, b.start, la)
          || b.problem != null) {
        return false;
      }
      i = a.end;
      j = b.end;
    }
  }

  /**
   * The first {@code max} words and symbols of a statement's code, comments and whitespace aside,
   * words in upper case; a quoted name keeps its quotes (it is never a keyword).
   */
  public static java.util.List<String> words(SqlStatement statement, SqlSyntax syntax, int max) {
    String text = statement.source().text();
    Scanner sc = new Scanner(text, statement.end(), syntax);
    java.util.List<String> out = new java.util.ArrayList<>();
    int i = statement.start();
    while (out.size() < max) {
      i = sc.skip(i);
      if (i >= statement.end()) {
        break;
      }
      Scanner.Kind k = sc.read(i, null);
      if (sc.end <= i) {
        break;
      }
      String token = text.substring(sc.start, sc.end);
      out.add(k == Scanner.Kind.WORD ? token.toUpperCase(java.util.Locale.ROOT) : token);
      i = sc.end;
    }
    return out;
  }

  /**
   * Offset of the first code character of {@code text}: after the comments and whitespace the
   * server skips ({@code text.length()} when there is no code).
   */
  public static int codeStart(String text, SqlSyntax syntax) {
    return new Scanner(text, text.length(), syntax).skip(0);
  }

  /** The first word of {@code text}'s code in upper case, or empty when it starts otherwise. */
  public static String firstWord(String text, SqlSyntax syntax) {
    Scanner sc = new Scanner(text, text.length(), syntax);
    int i = sc.skip(0);
    if (i >= text.length() || sc.read(i, null) != Scanner.Kind.WORD || sc.end <= i) {
      return "";
    }
    return text.substring(sc.start, sc.end).toUpperCase(java.util.Locale.ROOT);
  }
}
