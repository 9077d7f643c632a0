package dev.prodguard.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizes one statement on demand (the classifier usually needs only the first few tokens, so a
 * 50 MB {@code INSERT} is never tokenized whole). Comments are skipped; MySQL's executable comments
 * ({@code /*!50100 ... *\/}) are code.
 */
final class Lexer {
  private final String t;
  private final int end;
  private final SqlSyntax syntax;
  private int pos;
  private int executableComments;
  private final List<Token> buffer = new ArrayList<>();
  private int index;

  Lexer(SqlStatement statement, SqlSyntax syntax) {
    this(statement.source().text(), statement.start(), statement.end(), syntax);
  }

  Lexer(String text, int start, int end, SqlSyntax syntax) {
    this.t = text;
    this.pos = start;
    this.end = end;
    this.syntax = syntax;
  }

  /** The token {@code k} ahead of the cursor (0 = current). */
  Token peek(int k) {
    while (buffer.size() <= index + k) {
      buffer.add(read());
    }
    return buffer.get(index + k);
  }

  Token peek() {
    return peek(0);
  }

  Token next() {
    Token tk = peek(0);
    if (tk.type != Token.Type.EOF) {
      index++;
    }
    // drop consumed tokens now and then so that streaming scans stay small
    if (index > 64 && index == buffer.size()) {
      buffer.clear();
      index = 0;
    }
    return tk;
  }

  boolean atEnd() {
    return peek().type == Token.Type.EOF;
  }

  /** Consumes the word when it is next. */
  boolean accept(String keyword) {
    if (peek().is(keyword)) {
      next();
      return true;
    }
    return false;
  }

  /** Consumes the words when they are next, all of them. */
  boolean accept(String k1, String k2) {
    if (peek(0).is(k1) && peek(1).is(k2)) {
      next();
      next();
      return true;
    }
    return false;
  }

  boolean acceptPunct(char c) {
    if (peek().isPunct(c)) {
      next();
      return true;
    }
    return false;
  }

  private Token read() {
    while (pos < end) {
      char c = t.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
        continue;
      }
      char n = pos + 1 < end ? t.charAt(pos + 1) : '\0';
      if (c == '-'
          && n == '-'
          && (!syntax.mysqlComments || pos + 2 >= end || t.charAt(pos + 2) <= ' ')) {
        skipLine();
        continue;
      }
      if (c == '#' && syntax.mysqlComments) {
        skipLine();
        continue;
      }
      if (c == '/' && n == '*') {
        if (syntax.mysqlComments && pos + 2 < end && t.charAt(pos + 2) == '!') {
          pos += 3;
          while (pos < end && Character.isDigit(t.charAt(pos))) {
            pos++;
          }
          executableComments++;
          continue;
        }
        skipComment();
        continue;
      }
      if (c == '*' && n == '/' && executableComments > 0) {
        executableComments--;
        pos += 2;
        continue;
      }
      return token(c, n);
    }
    return new Token(Token.Type.EOF, end, end, "");
  }

  private Token token(char c, char n) {
    int s = pos;
    if (c == '\'') {
      pos = quoted(pos, '\'', syntax.backslashEscapes);
      return make(Token.Type.STRING, s);
    }
    if (c == '"') {
      pos = quoted(pos, '"', syntax.doubleQuotedStrings);
      return make(syntax.doubleQuotedStrings ? Token.Type.STRING : Token.Type.QUOTED_IDENT, s);
    }
    if (c == '`' && syntax.mysqlComments) {
      pos = quoted(pos, '`', false);
      return make(Token.Type.QUOTED_IDENT, s);
    }
    if (c == '$') {
      if (n == '{') {
        int close = t.indexOf('}', pos);
        pos = close < 0 || close >= end ? end : close + 1;
        return make(Token.Type.PLACEHOLDER, s);
      }
      if (syntax.dollarQuotes) {
        int j = pos + 1;
        if (j < end && Splitter.isIdentStart(t.charAt(j))) {
          while (j < end && Splitter.isIdentPart(t.charAt(j)) && t.charAt(j) != '$') {
            j++;
          }
        }
        if (j < end && t.charAt(j) == '$') {
          String tag = t.substring(pos, j + 1);
          int close = t.indexOf(tag, j + 1);
          pos = close < 0 || close >= end ? end : close + tag.length();
          return make(Token.Type.DOLLAR_STRING, s);
        }
      }
      pos++;
      while (pos < end && Character.isDigit(t.charAt(pos))) {
        pos++;
      }
      return make(Token.Type.NUMBER, s); // $1 parameter
    }
    if (Splitter.isIdentStart(c)) {
      pos++;
      while (pos < end && Splitter.isIdentPart(t.charAt(pos))) {
        pos++;
      }
      if (pos - s == 1 && (c == 'E' || c == 'e') && pos < end && t.charAt(pos) == '\'') {
        pos = quoted(pos, '\'', true);
        return make(Token.Type.STRING, s);
      }
      return make(Token.Type.WORD, s);
    }
    if (c >= '0' && c <= '9') {
      pos++;
      while (pos < end && (Splitter.isIdentPart(t.charAt(pos)) || t.charAt(pos) == '.')) {
        pos++;
      }
      return make(Token.Type.NUMBER, s);
    }
    if (c == ':' && n == '=') {
      pos += 2;
      return make(Token.Type.PUNCT, s);
    }
    if (c == '<' && n == '<') {
      pos += 2;
      return make(Token.Type.PUNCT, s);
    }
    if (c == '>' && n == '>') {
      pos += 2;
      return make(Token.Type.PUNCT, s);
    }
    pos++;
    return make(Token.Type.PUNCT, s);
  }

  private Token make(Token.Type type, int s) {
    return new Token(type, s, pos, t.substring(s, pos));
  }

  private int quoted(int i, char q, boolean backslash) {
    int j = i + 1;
    while (j < end) {
      char c = t.charAt(j);
      if (backslash && c == '\\') {
        j += 2;
      } else if (c == q) {
        if (j + 1 < end && t.charAt(j + 1) == q) {
          j += 2;
        } else {
          return j + 1;
        }
      } else {
        j++;
      }
    }
    return end;
  }

  private void skipLine() {
    int e = t.indexOf('\n', pos);
    pos = e < 0 || e >= end ? end : e + 1;
  }

  private void skipComment() {
    int level = 1;
    int j = pos + 2;
    while (j < end && level > 0) {
      char c = t.charAt(j);
      if (c == '*' && j + 1 < end && t.charAt(j + 1) == '/') {
        level--;
        j += 2;
      } else if (syntax.nestedComments && c == '/' && j + 1 < end && t.charAt(j + 1) == '*') {
        level++;
        j += 2;
      } else {
        j++;
      }
    }
    pos = Math.min(j, end);
  }
}
