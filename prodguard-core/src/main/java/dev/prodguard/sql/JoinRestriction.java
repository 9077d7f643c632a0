package dev.prodguard.sql;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether the WHERE of a PostgreSQL {@code UPDATE t ... FROM r ... WHERE} or {@code DELETE FROM t
 * USING r WHERE} limits the rows of {@code t} through a joined relation: a row of {@code t} is
 * changed only when some row of {@code r} satisfies the condition with it, so {@code WHERE t.r_id =
 * r.id AND r.event_id = 42} changes only the rows of {@code t} whose {@code r} row has event 42.
 *
 * <p>A branch of the condition (an OR branch; a condition without OR is one branch) limits the
 * target when, among its AND terms,
 *
 * <ul>
 *   <li>a term that is no join condition reads a column of the target and is not shown to hold for
 *       every row (as for an UPDATE without FROM), or
 *   <li>a join condition {@code target_column = r.column} (an unqualified column compared with a
 *       joined relation's column is read as the target's: naming one side and not the other names
 *       two relations) ties the target to {@code r}, and another term restricts {@code r} alone: it
 *       reads a column of {@code r}, no unqualified column, and is not shown to hold for every row.
 * </ul>
 *
 * The condition limits only when every branch does. A join condition alone does not limit (every
 * row of the target may have its joined row), nor does a restriction on a relation that no join
 * condition ties to the target (a cross join: every row or none), nor a restriction shown to hold
 * for every row ({@code r.id = r.id}). Anything else is left to {@link Predicate}'s judgement of
 * the whole condition, which fails closed.
 */
final class JoinRestriction {
  private JoinRestriction() {}

  private static final Set<String> NOT_ALIAS =
      Set.of(
          "ON",
          "JOIN",
          "INNER",
          "LEFT",
          "RIGHT",
          "FULL",
          "OUTER",
          "CROSS",
          "NATURAL",
          "USING",
          "WHERE",
          "LATERAL",
          "ONLY",
          "TABLESAMPLE",
          "WITH",
          "ORDINALITY");

  /**
   * The lower-case aliases (or names, when there is no alias) of the relations in a FROM or USING
   * list's tokens; a subquery counts by its alias.
   */
  static Set<String> relations(List<Token> from) {
    Set<String> out = new HashSet<>();
    int depth = 0;
    boolean expect = true;
    for (int i = 0; i < from.size(); i++) {
      Token t = from.get(i);
      if (t.isPunct('(')) {
        depth++;
        continue;
      }
      if (t.isPunct(')')) {
        depth--;
        if (depth == 0 && expect) {
          String alias = aliasAt(from, i + 1);
          if (alias != null) {
            out.add(alias);
          }
          expect = false;
        }
        continue;
      }
      if (depth > 0) {
        continue;
      }
      if (t.isPunct(',') || t.is("JOIN")) {
        expect = true;
        continue;
      }
      if (expect && t.isName() && !NOT_ALIAS.contains(t.upper())) {
        int k = i;
        String last = t.identifier().toLowerCase(Locale.ROOT);
        while (k + 2 < from.size() && from.get(k + 1).isPunct('.') && from.get(k + 2).isName()) {
          k += 2;
          last = from.get(k).identifier().toLowerCase(Locale.ROOT);
        }
        String alias = aliasAt(from, k + 1);
        out.add(alias != null ? alias : last);
        i = k;
        expect = false;
      }
    }
    return out;
  }

  private static String aliasAt(List<Token> tokens, int i) {
    if (i < tokens.size() && tokens.get(i).is("AS")) {
      i++;
    }
    if (i < tokens.size()
        && tokens.get(i).isName()
        && !NOT_ALIAS.contains(tokens.get(i).upper())
        && !(i + 1 < tokens.size() && tokens.get(i + 1).isPunct('.'))) {
      return tokens.get(i).identifier().toLowerCase(Locale.ROOT);
    }
    return null;
  }

  /** Whether {@code where} (the condition's tokens) limits the target's rows, as above. */
  static boolean limits(
      List<Token> where, Set<String> target, Set<String> joined, SqlSyntax syntax) {
    return limits(where, List.of(), target, joined, syntax);
  }

  /**
   * The same, with the FROM/USING list's tokens: the ON conditions of its inner joins ({@code FROM
   * a JOIN b ON a.id = b.a_id}) hold for every joined row, so their terms count beside the WHERE's.
   * An outer join's ON limits nothing: with one, the ON conditions are not used.
   */
  static boolean limits(
      List<Token> where,
      List<Token> from,
      Set<String> target,
      Set<String> joined,
      SqlSyntax syntax) {
    if (joined.isEmpty()) {
      return false;
    }
    List<List<Token>> on = onTerms(from);
    for (List<Token> branch : split(where, true)) {
      List<List<Token>> terms = new ArrayList<>(split(branch, false));
      terms.addAll(on);
      if (!branchLimits(terms, target, joined, syntax)) {
        return false;
      }
    }
    return true;
  }

  /** The AND terms of the ON conditions of a FROM list of inner joins; none with an outer join. */
  private static List<List<Token>> onTerms(List<Token> from) {
    List<List<Token>> out = new ArrayList<>();
    int depth = 0;
    List<Token> cur = null;
    for (Token t : from) {
      if (depth == 0
          && (t.is("LEFT") || t.is("RIGHT") || t.is("FULL") || t.is("NATURAL") || t.is("USING"))) {
        return List.of();
      }
      if (t.isPunct('(')) {
        depth++;
      } else if (t.isPunct(')')) {
        depth--;
      }
      if (depth == 0 && (t.is("JOIN") || t.is("INNER") || t.is("CROSS") || t.isPunct(','))) {
        if (cur != null) {
          out.addAll(split(cur, false));
        }
        cur = null;
        continue;
      }
      if (depth == 0 && t.is("ON")) {
        cur = new ArrayList<>();
        continue;
      }
      if (cur != null) {
        cur.add(t);
      }
    }
    if (cur != null) {
      out.addAll(split(cur, false));
    }
    for (List<Token> term : out) {
      for (Token t : term) {
        if (t.is("OR")) {
          return List.of(); // an ON with OR: not read here
        }
      }
    }
    return out;
  }

  private static boolean branchLimits(
      List<List<Token>> terms, Set<String> target, Set<String> joined, SqlSyntax syntax) {
    Set<String> tied = new HashSet<>();
    List<List<Token>> rest = new ArrayList<>();
    List<String[]> links = new ArrayList<>();
    for (List<Token> term : terms) {
      String r = joinedSide(term, target, joined);
      String[] link = r == null ? link(term, joined) : null;
      if (r != null) {
        tied.add(r);
      } else if (link != null) {
        links.add(link);
      } else {
        rest.add(term);
      }
    }
    // a.x = b.y between joined relations: b is tied to the target through a (each b row found
    // belongs to a tied a row, and a restriction of b then limits the a rows, hence the target's)
    boolean grew = !tied.isEmpty();
    while (grew) {
      grew = false;
      for (String[] l : links) {
        if (tied.contains(l[0]) && tied.add(l[1]) || tied.contains(l[1]) && tied.add(l[0])) {
          grew = true;
        }
      }
    }
    Predicate.Target unqualified = new Predicate.Target(Set.of(), true, false);
    for (List<Token> term : rest) {
      if (!holdsForEveryRow(term, Predicate.Target.of(target), syntax)) {
        return true;
      }
      if (!tied.isEmpty()
          && holdsForEveryRow(term, unqualified, syntax)
          && !holdsForEveryRow(term, Predicate.Target.of(tied), syntax)) {
        return true;
      }
    }
    return false;
  }

  private static boolean holdsForEveryRow(List<Token> term, Predicate.Target of, SqlSyntax syntax) {
    return Predicate.alwaysTrue(tokens(term), Set.of(), syntax, of);
  }

  /**
   * The joined relation that {@code term} ties the target to when it is exactly {@code
   * target_column = r.column} (either order; the target's column qualified or not), else null.
   */
  private static String joinedSide(List<Token> term, Set<String> target, Set<String> joined) {
    List<List<String>> sides = columnEquality(term);
    if (sides == null) {
      return null;
    }
    List<String> left = sides.get(0);
    List<String> right = sides.get(1);
    String r = joinedOf(right, joined);
    if (r != null && isTarget(left, target)) {
      return r;
    }
    r = joinedOf(left, joined);
    return r != null && isTarget(right, target) ? r : null;
  }

  /** {@code a.x = b.y} between two different joined relations: {a, b}; else null. */
  private static String[] link(List<Token> term, Set<String> joined) {
    List<List<String>> sides = columnEquality(term);
    if (sides == null) {
      return null;
    }
    List<String> left = sides.get(0);
    List<String> right = sides.get(1);
    String a = joinedOf(left, joined);
    String b = joinedOf(right, joined);
    return a != null && b != null && !a.equals(b) ? new String[] {a, b} : null;
  }

  /** {@code term} is exactly {@code column = column}: the two columns' name parts; else null. */
  private static List<List<String>> columnEquality(List<Token> term) {
    int eq = -1;
    for (int i = 0; i < term.size(); i++) {
      if (term.get(i).isPunct('=')) {
        if (eq >= 0) {
          return null;
        }
        eq = i;
      }
    }
    if (eq < 0) {
      return null;
    }
    List<String> left = column(term.subList(0, eq));
    List<String> right = column(term.subList(eq + 1, term.size()));
    return left == null || right == null ? null : List.of(left, right);
  }

  private static String joinedOf(List<String> column, Set<String> joined) {
    if (column.size() < 2) {
      return null;
    }
    String q = column.get(column.size() - 2);
    return joined.contains(q) ? q : null;
  }

  private static boolean isTarget(List<String> column, Set<String> target) {
    return column.size() == 1 || target.contains(column.get(column.size() - 2));
  }

  /** The parts of a (qualified) column name that is all of {@code tokens}, else null. */
  private static List<String> column(List<Token> tokens) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (i % 2 == 0) {
        if (!t.isName()
            || t.holdsPlaceholder()
            || t.type() == Token.Type.WORD
                && SqlNames.of(SqlSyntax.POSTGRESQL).keyword(t.text().toLowerCase(Locale.ROOT))) {
          return null;
        }
        parts.add(t.identifier().toLowerCase(Locale.ROOT));
      } else if (!t.isPunct('.')) {
        return null;
      }
    }
    return tokens.size() % 2 == 1 ? parts : null;
  }

  /** Splits at depth-0 OR ({@code or}) or AND (a BETWEEN's AND stays with its term). */
  private static List<List<Token>> split(List<Token> tokens, boolean or) {
    List<List<Token>> out = new ArrayList<>();
    List<Token> cur = new ArrayList<>();
    int depth = 0;
    int cases = 0;
    boolean between = false;
    for (Token t : tokens) {
      if (t.isPunct('(')) {
        depth++;
      } else if (t.isPunct(')')) {
        depth--;
      } else if (t.is("CASE")) {
        cases++;
      } else if (t.is("END") && cases > 0) {
        cases--;
      } else if (depth == 0 && cases == 0) {
        if (t.is("BETWEEN")) {
          between = true;
        } else if (t.is(or ? "OR" : "AND")) {
          if (!or && between) {
            between = false;
          } else {
            out.add(cur);
            cur = new ArrayList<>();
            continue;
          }
        }
      }
      cur.add(t);
    }
    out.add(cur);
    return out;
  }

  private static Predicate.Tokens tokens(List<Token> list) {
    Token eof = new Token(Token.Type.EOF, 0, 0, "");
    return new Predicate.Tokens() {
      int at;

      @Override
      public Token peek(int k) {
        return at + k < list.size() ? list.get(at + k) : eof;
      }

      @Override
      public Token next() {
        return at < list.size() ? list.get(at++) : eof;
      }
    };
  }
}
