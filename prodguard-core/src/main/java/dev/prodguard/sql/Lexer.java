package dev.prodguard.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizes one statement on demand (the classifier usually needs only the first few tokens, so a
 * 50 MB {@code INSERT} is never tokenized whole), by the same server rules as the splitter ({@link
 * Scanner}). Comments are skipped; MariaDB's executable comments ({@code /*!50100 ... *\/}, {@code
 * /*M! ... *\/}) are code, whatever their version.
 */
final class Lexer {
  private final String t;
  private final int end;
  private final Scanner scanner;
  private int pos;
  private final List<Token> buffer = new ArrayList<>();
  private int index;

  Lexer(SqlStatement statement, SqlSyntax syntax) {
    this(statement.source().text(), statement.start(), statement.end(), syntax);
  }

  Lexer(String text, int start, int end, SqlSyntax syntax) {
    this.t = text;
    this.pos = start;
    this.end = end;
    this.scanner = new Scanner(text, end, syntax);
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
    while (true) {
      pos = scanner.skip(pos);
      if (pos >= end) {
        return new Token(Token.Type.EOF, end, end, "");
      }
      Scanner.Kind kind = scanner.read(pos, null);
      pos = scanner.end;
      Token.Type type =
          switch (kind) {
            case WORD -> Token.Type.WORD;
            case QUOTED_IDENT -> Token.Type.QUOTED_IDENT;
            case STRING -> Token.Type.STRING;
            case NUMBER -> Token.Type.NUMBER;
            case DOLLAR_STRING -> Token.Type.DOLLAR_STRING;
            case PLACEHOLDER -> Token.Type.PLACEHOLDER;
            case PUNCT -> Token.Type.PUNCT;
            case EXECUTABLE_OPEN, EXECUTABLE_CLOSE -> null; // the content is code
          };
      if (type != null) {
        return new Token(type, scanner.start, pos, t.substring(scanner.start, pos));
      }
    }
  }

  /** The first problem met so far (see {@link Scanner}), or null. */
  String problem() {
    return scanner.problem;
  }
}
