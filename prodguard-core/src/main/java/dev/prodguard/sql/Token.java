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

  /**
   * A Flyway placeholder, or a quoted identifier ({@code "${flyway:database}"}, MariaDB's
   * backticks) holding one: Flyway replaces it inside quotes too, before the server reads the name,
   * so the name is as unknown as the bare placeholder's.
   */
  public boolean holdsPlaceholder() {
    if (type == Type.PLACEHOLDER) {
      return true;
    }
    if (type != Type.QUOTED_IDENT) {
      return false;
    }
    int open = text.indexOf("${");
    return open >= 0 && text.indexOf('}', open + 2) > 0;
  }

  /** The identifier as the database folds it: unquoted names lower-case, quoted ones verbatim. */
  public String identifier() {
    return switch (type) {
      case WORD -> text.toLowerCase(Locale.ROOT);
      case QUOTED_IDENT -> {
        if (text.length() > 2 && text.charAt(1) == '&') {
          // PostgreSQL U&"d\0061ta": the escapes decoded, as the server reads the name
          String inner = text.substring(3, text.length() - 1).replace("\"\"", "\"");
          String decoded = decodeUnicode(inner);
          yield decoded == null ? inner : decoded;
        }
        char q = text.charAt(0);
        String inner = text.substring(1, text.length() - 1);
        yield inner.replace(String.valueOf(q) + q, String.valueOf(q));
      }
      default -> text;
    };
  }

  /**
   * Decodes PostgreSQL's Unicode escapes with the default escape character: {@code \XXXX}, {@code
   * \+XXXXXX}, {@code \\}; null when an escape is malformed (the server rejects it).
   */
  static String decodeUnicode(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (i + 1 < s.length() && s.charAt(i + 1) == '\\') {
        sb.append('\\');
        i++;
        continue;
      }
      int digits = i + 1 < s.length() && s.charAt(i + 1) == '+' ? 6 : 4;
      int from = digits == 6 ? i + 2 : i + 1;
      if (from + digits > s.length()) {
        return null;
      }
      for (int k = from; k < from + digits; k++) {
        if (Character.digit(s.charAt(k), 16) < 0) {
          return null;
        }
      }
      try {
        int cp = Integer.parseInt(s.substring(from, from + digits), 16);
        if (!Character.isValidCodePoint(cp)) {
          return null;
        }
        sb.appendCodePoint(cp);
      } catch (NumberFormatException e) {
        return null;
      }
      i = from + digits - 1;
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return type + ":" + text;
  }
}
