package dev.prodguard.sql;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL {@code ALTER COLUMN ... TYPE}: whether the change from the column's known definition
 * to the new type changes no stored value, so that the server neither rewrites the table nor
 * rebuilds its indexes (the old type is binary coercible to the new one, or only its length or
 * precision limit grows; PostgreSQL's ALTER TABLE notes, and its 9.2 release notes for the length
 * and precision cases). Definitions are as the classifier records them (tokens joined by NUL, words
 * upper-case).
 *
 * <p>Free, and nothing else: {@code varchar(n)} to {@code varchar(m)} with {@code m >= n}, to
 * {@code varchar} or {@code text}; {@code varchar} or {@code text} to either; {@code numeric(p,s)}
 * to {@code numeric(q,s)} with {@code q >= p} (same scale) or to {@code numeric}; {@code varbit(n)}
 * to {@code varbit(m >= n)} or {@code varbit}; {@code cidr} to {@code inet}; the same type again. A
 * {@code USING} or {@code COLLATE} clause, a collation on the old definition, an array, a qualified
 * or quoted type name, or anything not read here: not free (fail closed). Checked on PostgreSQL 15
 * (every one of these keeps the table's and its indexes' relfilenode).
 */
final class PgTypeChanges {
  private PgTypeChanges() {}

  /** Words that end the type in a column definition and start its attributes. */
  private static final Set<String> ATTRIBUTES =
      Set.of(
          "NOT",
          "NULL",
          "DEFAULT",
          "PRIMARY",
          "REFERENCES",
          "CONSTRAINT",
          "CHECK",
          "UNIQUE",
          "GENERATED",
          "DEFERRABLE",
          "INITIALLY");

  /**
   * Whether this token of a recorded definition ends its type ({@code NOT}, {@code DEFAULT}...).
   */
  static boolean startsAttributes(String token) {
    return ATTRIBUTES.contains(token) || token.equals("COLLATE");
  }

  /** A type read from tokens: its name (synonyms folded) and its modifiers (-1 for none). */
  private record Type(String name, long first, long second) {}

  /**
   * Whether changing a column defined as {@code before} (a CREATE TABLE column definition) to
   * {@code after} (what follows {@code TYPE}: the type, and whatever clause comes with it) keeps
   * every stored value and every index as it is.
   */
  static boolean keepsStorage(String before, String after) {
    if (before == null || after == null || before.isEmpty() || after.isEmpty()) {
      return false;
    }
    List<String> b = Arrays.asList(before.split("\0", -1));
    if (b.contains("COLLATE")) {
      return false; // a column collation: the new type's default one may differ
    }
    int end = 0;
    while (end < b.size() && !ATTRIBUTES.contains(b.get(end))) {
      end++;
    }
    Type from = type(b.subList(0, end));
    Type to = type(Arrays.asList(after.split("\0", -1)));
    if (from == null || to == null) {
      return false;
    }
    if (from.equals(to)) {
      return true;
    }
    return switch (from.name()) {
      case "VARCHAR" ->
          to.name().equals("TEXT")
              || (to.name().equals("VARCHAR")
                  && (to.first() < 0 || (from.first() >= 0 && to.first() >= from.first())));
      case "TEXT" -> to.name().equals("VARCHAR") && to.first() < 0;
      case "VARBIT" ->
          to.name().equals("VARBIT")
              && (to.first() < 0 || (from.first() >= 0 && to.first() >= from.first()));
      case "NUMERIC" ->
          to.name().equals("NUMERIC")
              && (to.first() < 0
                  || (from.first() >= 0 && to.first() >= from.first() && scale(to) == scale(from)));
      case "CIDR" -> to.name().equals("INET") && to.first() < 0;
      default -> false;
    };
  }

  private static long scale(Type t) {
    return t.second() < 0 ? 0 : t.second();
  }

  /** {@code NAME [ ( n [, m] ) ]} and nothing after it; null for anything else. */
  private static Type type(List<String> tokens) {
    int i = 0;
    StringBuilder name = new StringBuilder();
    while (i < tokens.size() && !tokens.get(i).equals("(")) {
      String t = tokens.get(i);
      if (!t.matches("[A-Z][A-Z0-9_]*")) {
        return null; // quoted, qualified, an array, a clause's punctuation: not read here
      }
      name.append(name.length() == 0 ? "" : " ").append(t);
      i++;
    }
    String n =
        switch (name.toString()) {
          case "VARCHAR", "CHARACTER VARYING", "CHAR VARYING" -> "VARCHAR";
          case "TEXT" -> "TEXT";
          case "NUMERIC", "DECIMAL" -> "NUMERIC";
          case "VARBIT", "BIT VARYING" -> "VARBIT";
          case "CIDR" -> "CIDR";
          case "INET" -> "INET";
          default -> null;
        };
    if (n == null) {
      return null;
    }
    if (i == tokens.size()) {
      return new Type(n, -1, -1);
    }
    // ( n ) or ( n , m ), then the end
    List<String> rest = tokens.subList(i, tokens.size());
    if (rest.size() == 3 && rest.get(2).equals(")") && number(rest.get(1))) {
      return new Type(n, Long.parseLong(rest.get(1)), -1);
    }
    if (rest.size() == 5
        && rest.get(2).equals(",")
        && rest.get(4).equals(")")
        && number(rest.get(1))
        && number(rest.get(3))) {
      return new Type(n, Long.parseLong(rest.get(1)), Long.parseLong(rest.get(3)));
    }
    return null;
  }

  private static boolean number(String s) {
    return s.matches("[0-9]{1,9}");
  }
}
