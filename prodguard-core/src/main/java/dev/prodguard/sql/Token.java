package dev.prodguard.sql;

import java.util.Locale;

/** A lexical token of one statement. */
public final class Token {
  public enum Type {
    WORD,
    QUOTED_IDENT,
    STRING,
    NUMBER,
    DOLLAR_STRING,
    PLACEHOLDER,
    PUNCT,
    EOF
  }

  final Type type;
  final int start;
  final int end;
  private final String text;
  private String upper;

  Token(Type type, int start, int end, String text) {
    this.type = type;
    this.start = start;
    this.end = end;
    this.text = text;
  }

  public Type type() {
    return type;
  }

  public int start() {
    return start;
  }

  public int end() {
    return end;
  }

  public String text() {
    return text;
  }

  /** Upper-cased text of a word; empty for other tokens. */
  public String upper() {
    if (upper == null) {
      upper = type == Type.WORD ? text.toUpperCase(Locale.ROOT) : "";
    }
    return upper;
  }

  public boolean is(String keyword) {
    return type == Type.WORD && text.length() == keyword.length() && text.equalsIgnoreCase(keyword);
  }

  public boolean isPunct(char c) {
    return type == Type.PUNCT && text.length() == 1 && text.charAt(0) == c;
  }

  /** Usable as (part of) an object name. */
  public boolean isName() {
    return type == Type.WORD || type == Type.QUOTED_IDENT || type == Type.PLACEHOLDER;
  }

  /** The identifier as the database folds it: unquoted names lower-case, quoted ones verbatim. */
  public String identifier() {
    return switch (type) {
      case WORD -> text.toLowerCase(Locale.ROOT);
      case QUOTED_IDENT -> {
        char q = text.charAt(0);
        String inner = text.substring(1, text.length() - 1);
        yield inner.replace(String.valueOf(q) + q, String.valueOf(q));
      }
      default -> text;
    };
  }

  @Override
  public String toString() {
    return type + ":" + text;
  }
}
