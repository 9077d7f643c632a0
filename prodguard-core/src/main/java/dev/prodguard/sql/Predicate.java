package dev.prodguard.sql;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a condition ({@code WHERE ...}, {@code WHEN MATCHED AND ...}) holds for every
 * row, so that {@code WHERE true}, {@code WHERE 1 = 1}, {@code WHERE 'a' = 'a'}, {@code WHERE NOT
 * false}, {@code WHERE x = x} or {@code WHERE id IS NOT NULL OR 1 = 1} count as no condition at
 * all. Only what can be proven is proven: constants, comparisons of constants, a column compared
 * with itself, {@code IS [NOT] NULL/TRUE/FALSE} of constants, and AND/OR/NOT over them, with SQL's
 * three-valued logic. Anything else (a function call, arithmetic, a subquery, a real column
 * predicate) depends on the row, and a condition that depends on the row is a real condition.
 *
 * <p>The condition is read from the token stream up to a stop word at depth 0 (e.g. {@code
 * RETURNING}, {@code THEN}), a statement end, or the parenthesis closing the enclosing group; the
 * stop token is not consumed.
 */
final class Predicate {
  /** A condition's value for every row: constant true/false/null, or depends on the row. */
  enum Value {
    TRUE,
    FALSE,
    NULL,
    ROW,
    /**
     * Does not depend on the row, value unknown ({@code now() > '2000-01-01'}, {@code EXISTS
     * (SELECT 1)}, a column of another table): every row of the target, or none.
     */
    CONST
  }

  /**
   * What counts as a column of the statement's target: a name qualified with one of {@code
   * qualifiers} (the table's name, its alias), and unqualified names when {@code alone} (no other
   * table is in scope). {@link #ANY}: every column reference counts.
   */
  record Target(Set<String> qualifiers, boolean alone, boolean any) {
    static final Target ANY = new Target(Set.of(), true, true);

    static Target of(String table, String alias, boolean alone) {
      Set<String> q = new java.util.HashSet<>();
      if (table != null) {
        String t = table.toLowerCase(Locale.ROOT);
        q.add(t);
        q.add(t.substring(t.lastIndexOf('.') + 1));
      }
      if (alias != null) {
        q.add(alias.toLowerCase(Locale.ROOT));
      }
      return new Target(Set.copyOf(q), alone, false);
    }

    static Target of(Set<String> qualifiers) {
      return new Target(Set.copyOf(qualifiers), false, false);
    }
  }

  /** The token stream the condition is read from. */
  interface Tokens {
    Token peek(int k);

    Token next();
  }

  private final Tokens in;
  private final Set<String> stops;
  private final boolean mysql;
  private final Target target;
  private final SqlNames names;

  /** References to a column of the target read so far. */
  private int refs;

  /** The token read last. */
  private Token last;

  /** Per open parenthesis: whether it holds a subquery. */
  private final java.util.ArrayDeque<Boolean> groups = new java.util.ArrayDeque<>();

  private int subqueries;

  /** Tokens still to pass of a qualified name already judged at its first part. */
  private int chainRest;

  private Predicate(Tokens in, Set<String> stops, SqlSyntax syntax, Target target) {
    this.in = in;
    this.stops = stops;
    this.mysql = syntax == SqlSyntax.MYSQL;
    this.target = target;
    this.names = SqlNames.of(syntax);
  }

  /** Reads one token, counting it when it names a column of the target. */
  private Token take() {
    Token t = in.next();
    observe(t);
    last = t;
    return t;
  }

  private void observe(Token t) {
    if (t.isPunct('(')) {
      Token n = in.peek(0);
      boolean sub = n.is("SELECT") || n.is("WITH") || n.is("VALUES") || n.is("TABLE");
      groups.push(sub);
      if (sub) {
        subqueries++;
      }
      return;
    }
    if (t.isPunct(')')) {
      if (!groups.isEmpty() && groups.pop()) {
        subqueries--;
      }
      return;
    }
    if (chainRest > 0) {
      chainRest--;
      return;
    }
    if (t.type() != Token.Type.WORD && t.type() != Token.Type.QUOTED_IDENT) {
      return;
    }
    if (last != null
        && (last.isPunct(':')
            || last.isPunct('@')
            || last.isPunct('{')
            || last.is("COLLATE")
            || last.is("AS"))) {
      return; // x::type, @variable, ODBC's {fn ...}, COLLATE "C", CAST(x AS type)
    }
    List<String> parts = new ArrayList<>();
    parts.add(t.identifier().toLowerCase(Locale.ROOT));
    int k = 0;
    while (in.peek(k).isPunct('.') && in.peek(k + 1).isName()) {
      parts.add(in.peek(k + 1).identifier().toLowerCase(Locale.ROOT));
      k += 2;
    }
    Token after = in.peek(k);
    chainRest = k;
    if (after.isPunct('(')) {
      return; // a function
    }
    if (parts.size() == 1) {
      if (t.type() == Token.Type.WORD
          && ((!mysql && names.keyword(parts.get(0))) || EXPRESSION_WORDS.contains(t.upper()))) {
        // MariaDB's keyword list holds unreserved words that are common column names (id, name)
        return;
      }
      if (after.type() == Token.Type.STRING) {
        return; // DATE '2000-01-01': a typed constant
      }
      if (target.any() || (target.alone() && subqueries == 0)) {
        refs++;
      }
      return;
    }
    String qualifier = parts.get(parts.size() - 2);
    if (target.any() || target.qualifiers().contains(qualifier)) {
      refs++;
    }
  }

  /** Words of expressions that are not column names (beyond the reserved keywords). */
  private static final Set<String> EXPRESSION_WORDS =
      Set.of(
          "TRUE",
          "FALSE",
          "NULL",
          "UNKNOWN",
          "AND",
          "OR",
          "NOT",
          "IS",
          "IN",
          "LIKE",
          "ILIKE",
          "SIMILAR",
          "ESCAPE",
          "BETWEEN",
          "SYMMETRIC",
          "DISTINCT",
          "FROM",
          "EXISTS",
          "ANY",
          "ALL",
          "SOME",
          "ARRAY",
          "ROW",
          "INTERVAL",
          "CASE",
          "WHEN",
          "THEN",
          "ELSE",
          "END",
          "CAST",
          "AS",
          "COLLATE",
          "AT",
          "TIME",
          "ZONE",
          "WITH",
          "WITHOUT",
          "YEAR",
          "MONTH",
          "DAY",
          "HOUR",
          "MINUTE",
          "SECOND",
          "EPOCH",
          "CURRENT_DATE",
          "CURRENT_TIME",
          "CURRENT_TIMESTAMP",
          "LOCALTIME",
          "LOCALTIMESTAMP",
          "CURRENT_USER",
          "SESSION_USER",
          "USER",
          "REGEXP",
          "RLIKE",
          "DIV",
          "MOD",
          "XOR",
          "BINARY",
          "SOUNDS",
          "OVERLAPS",
          "ISNULL",
          "NOTNULL",
          "OF");

  /**
   * Reads a condition and returns whether it is true for every row. {@code stops} are upper-case
   * words that end the condition at depth 0.
   */
  static boolean alwaysTrue(Tokens in, Set<String> stops, SqlSyntax syntax) {
    return alwaysTrue(in, stops, syntax, Target.ANY);
  }

  /**
   * Reads a condition and returns whether it holds for every row of {@code target} or does not
   * depend on its rows at all ({@code WHERE now() > '2000-01-01'}, {@code WHERE EXISTS (SELECT
   * 1)}): a condition counts only when it reads a column of the target and is not shown to be true
   * for every row. {@code WHERE CURRENT OF cursor} is a real condition (one row).
   */
  static boolean alwaysTrue(Tokens in, Set<String> stops, SqlSyntax syntax, Target target) {
    Predicate p = new Predicate(in, stops, syntax, target);
    if (in.peek(0).is("CURRENT") && in.peek(1).is("OF")) {
      p.skipTerm(true);
      return false;
    }
    Value v = p.or();
    if (!p.atBoundary()) {
      int before = p.refs;
      p.skipTerm(true); // something the grammar above does not model: the row decides
      return p.refs == before && v != Value.ROW;
    }
    return v == Value.TRUE || v == Value.CONST;
  }

  /** The same for a condition's text on its own (e.g. as JSqlParser prints it). */
  static boolean alwaysTrue(String condition, SqlSyntax syntax) {
    Lexer lx = new Lexer(condition, 0, condition.length(), syntax);
    return alwaysTrue(
        new Tokens() {
          @Override
          public Token peek(int k) {
            return lx.peek(k);
          }

          @Override
          public Token next() {
            return lx.next();
          }
        },
        Set.of(),
        syntax);
  }

  // ---- grammar: or := and (OR and)* ; and := not (AND not)* ; not := NOT not | comparison -----

  private Value or() {
    Value v = and();
    while (isOr()) {
      consumeOr();
      v = or(v, and());
    }
    return v;
  }

  private Value and() {
    Value v = not();
    while (isAnd()) {
      consumeAnd();
      v = and(v, not());
    }
    return v;
  }

  private Value not() {
    if (in.peek(0).is("NOT") || (mysql && in.peek(0).isPunct('!') && !in.peek(1).isPunct('='))) {
      take();
      return negate(not());
    }
    return comparison();
  }

  private Value comparison() {
    int before = refs;
    Value v = comparisonTerm();
    return v == Value.ROW && refs == before ? Value.CONST : v;
  }

  private Value comparisonTerm() {
    Operand left = primary();
    if (left == null) {
      skipTerm(false);
      return Value.ROW;
    }
    Value result;
    String op = comparisonOperator();
    if (op != null) {
      Operand right = primary();
      if (right == null) {
        skipTerm(false);
        return Value.ROW;
      }
      result = compare(left, op, right);
    } else if (in.peek(0).is("IS")) {
      take();
      boolean negated = acceptWord("NOT");
      Token t = take();
      if (t.is("NULL") || t.is("UNKNOWN")) {
        result = left.isNull();
      } else if (t.is("TRUE")) {
        result = isTrue(left.truth(mysql));
      } else if (t.is("FALSE")) {
        result = isTrue(negate(left.truth(mysql)));
        if (left.truth(mysql) == Value.NULL) {
          result = Value.FALSE;
        }
      } else if (t.is("DISTINCT") && in.peek(0).is("FROM")) {
        take();
        Operand right = primary();
        if (right == null) {
          skipTerm(false);
          return Value.ROW;
        }
        result = negate(notDistinct(left, right));
      } else {
        skipTerm(false);
        return Value.ROW;
      }
      if (negated) {
        result = negate(result);
      }
    } else {
      result = left.truth(mysql);
    }
    if (!atBoundary()) {
      skipTerm(false); // e.g. "1 = 1 + x": the operand continues, the row decides
      return Value.ROW;
    }
    return result;
  }

  /** =, <>, !=, <, >, <=, >=, MySQL's <=>; null (nothing consumed) when none follows. */
  private String comparisonOperator() {
    Token a = in.peek(0);
    if (a.type() != Token.Type.PUNCT) {
      return null;
    }
    Token b = in.peek(1);
    boolean joined = b.type() == Token.Type.PUNCT && b.start() == a.end();
    if (a.isPunct('=')) {
      take();
      return "=";
    }
    if (a.isPunct('!') && joined && b.isPunct('=')) {
      take();
      take();
      return "<>";
    }
    if (!a.isPunct('<') && !a.isPunct('>')) {
      return null;
    }
    if (!joined) {
      take();
      return a.text();
    }
    if (a.isPunct('<') && b.isPunct('>')) {
      take();
      take();
      return "<>";
    }
    if (!b.isPunct('=')) {
      return null; // <<, >>, <@, ...: an operator this grammar does not know
    }
    Token c = in.peek(2);
    if (a.isPunct('<') && c.isPunct('>') && c.start() == b.end()) {
      if (!mysql) {
        return null;
      }
      take();
      take();
      take();
      return "<=>";
    }
    take();
    take();
    return a.text() + "=";
  }

  /** A constant, a column reference, or a parenthesised condition; null for anything else. */
  private Operand primary() {
    Token t = in.peek(0);
    if (t.isPunct('(')) {
      Token inner = in.peek(1);
      if (inner.is("SELECT") || inner.is("WITH") || inner.is("VALUES") || inner.is("TABLE")) {
        return null;
      }
      take();
      Value v = or();
      if (!in.peek(0).isPunct(')')) {
        skipTerm(true);
        if (in.peek(0).isPunct(')')) {
          take();
        }
        return Operand.of(Value.ROW);
      }
      take();
      return Operand.of(v);
    }
    if (t.is("TRUE")) {
      take();
      return Operand.of(Value.TRUE);
    }
    if (t.is("FALSE")) {
      take();
      return Operand.of(Value.FALSE);
    }
    if (t.is("NULL")) {
      take();
      return Operand.of(Value.NULL);
    }
    if (t.type() == Token.Type.NUMBER) {
      if (t.text().startsWith("$")) {
        return null; // a parameter
      }
      try {
        BigDecimal n = new BigDecimal(t.text());
        take();
        return new Operand(null, n, null, null);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if (t.type() == Token.Type.STRING
        && (t.text().startsWith("'") || (mysql && t.text().startsWith("\"")))) {
      String q = t.text().substring(0, 1);
      String body = t.text().substring(1, Math.max(1, t.text().length() - 1));
      if (mysql && body.indexOf('\\') >= 0) {
        return null; // backslash escapes: not worth decoding here
      }
      take();
      return new Operand(null, null, body.replace(q + q, q), null);
    }
    if (t.isName() && t.type() != Token.Type.PLACEHOLDER && !isSyntax(t)) {
      List<String> parts = new ArrayList<>();
      parts.add(t.identifier().toLowerCase(Locale.ROOT));
      int k = 1;
      while (in.peek(k).isPunct('.') && in.peek(k + 1).isName()) {
        parts.add(in.peek(k + 1).identifier().toLowerCase(Locale.ROOT));
        k += 2;
      }
      Token after = in.peek(k);
      if (after.isPunct('(') || after.isPunct('.') || after.isPunct(':')) {
        return null; // a call, a cast or something longer
      }
      for (int i = 0; i < k; i++) {
        take();
      }
      return new Operand(null, null, null, parts);
    }
    return null;
  }

  private static boolean isSyntax(Token t) {
    return switch (t.upper()) {
      case "NOT",
          "AND",
          "OR",
          "IS",
          "CASE",
          "EXISTS",
          "SELECT",
          "CURRENT",
          "ANY",
          "ALL",
          "SOME",
          "ARRAY",
          "ROW",
          "INTERVAL",
          "CAST" ->
          true;
      default -> false;
    };
  }

  private Value compare(Operand l, String op, Operand r) {
    if (l.column != null && r.column != null) {
      if (!l.column.equals(r.column)) {
        return Value.ROW;
      }
      return switch (op) {
        case "=", "<=", ">=" -> Value.TRUE; // for every row where it is not null
        case "<=>" -> Value.TRUE;
        default -> Value.FALSE;
      };
    }
    if (l.column != null || r.column != null) {
      return Value.ROW;
    }
    if (op.equals("<=>")) {
      return notDistinct(l, r);
    }
    if (l.isNull() == Value.TRUE || r.isNull() == Value.TRUE) {
      return Value.NULL;
    }
    if (l.number != null && r.number != null) {
      return holds(op, l.number.compareTo(r.number));
    }
    if (l.string != null && r.string != null && (op.equals("=") || op.equals("<>"))) {
      if (l.string.equals(r.string)) {
        return op.equals("=") ? Value.TRUE : Value.FALSE;
      }
      return Value.ROW; // collation, padding and case rules differ: not provable here
    }
    if (l.bool != null
        && r.bool != null
        && l.bool != Value.ROW
        && r.bool != Value.ROW
        && l.bool != Value.CONST
        && r.bool != Value.CONST) {
      int c = Boolean.compare(l.bool == Value.TRUE, r.bool == Value.TRUE);
      return holds(op, c);
    }
    return Value.ROW;
  }

  private static Value notDistinct(Operand l, Operand r) {
    if (l.column != null && r.column != null) {
      return l.column.equals(r.column) ? Value.TRUE : Value.ROW;
    }
    if (l.column != null || r.column != null) {
      return Value.ROW;
    }
    boolean ln = l.isNull() == Value.TRUE;
    boolean rn = r.isNull() == Value.TRUE;
    if (ln || rn) {
      return ln && rn ? Value.TRUE : Value.FALSE;
    }
    if (l.number != null && r.number != null) {
      return l.number.compareTo(r.number) == 0 ? Value.TRUE : Value.FALSE;
    }
    if (l.string != null && r.string != null && l.string.equals(r.string)) {
      return Value.TRUE;
    }
    if (l.bool != null
        && r.bool != null
        && l.bool != Value.ROW
        && l.bool != Value.CONST
        && l.bool == r.bool) {
      return Value.TRUE;
    }
    return Value.ROW;
  }

  private static Value holds(String op, int c) {
    boolean b =
        switch (op) {
          case "=" -> c == 0;
          case "<>" -> c != 0;
          case "<" -> c < 0;
          case ">" -> c > 0;
          case "<=" -> c <= 0;
          case ">=" -> c >= 0;
          default -> false;
        };
    return b ? Value.TRUE : Value.FALSE;
  }

  // ---- three-valued logic --------------------------------------------------------------

  static Value negate(Value v) {
    return switch (v) {
      case TRUE -> Value.FALSE;
      case FALSE -> Value.TRUE;
      default -> v;
    };
  }

  static Value and(Value a, Value b) {
    if (a == Value.FALSE || b == Value.FALSE) {
      return Value.FALSE;
    }
    if (a == Value.ROW || b == Value.ROW) {
      return Value.ROW; // a row filter, whatever the constant beside it
    }
    if (a == Value.CONST || b == Value.CONST) {
      return Value.CONST;
    }
    return a == Value.TRUE && b == Value.TRUE ? Value.TRUE : Value.NULL;
  }

  static Value or(Value a, Value b) {
    if (a == Value.TRUE || b == Value.TRUE) {
      return Value.TRUE;
    }
    if (a == Value.CONST || b == Value.CONST) {
      return Value.CONST; // may be true: then every row
    }
    if (a == Value.ROW || b == Value.ROW) {
      return Value.ROW;
    }
    return a == Value.FALSE && b == Value.FALSE ? Value.FALSE : Value.NULL;
  }

  private static Value isTrue(Value v) {
    return switch (v) {
      case TRUE -> Value.TRUE;
      case ROW, CONST -> v;
      default -> Value.FALSE;
    };
  }

  // ---- token helpers -------------------------------------------------------------------

  private boolean isOr() {
    Token t = in.peek(0);
    return t.is("OR") || (mysql && t.isPunct('|') && in.peek(1).isPunct('|'));
  }

  private void consumeOr() {
    if (take().isPunct('|')) {
      take();
    }
  }

  private boolean isAnd() {
    Token t = in.peek(0);
    return t.is("AND") || (mysql && t.isPunct('&') && in.peek(1).isPunct('&'));
  }

  private void consumeAnd() {
    if (take().isPunct('&')) {
      take();
    }
  }

  private boolean acceptWord(String w) {
    if (in.peek(0).is(w)) {
      take();
      return true;
    }
    return false;
  }

  /** At AND, OR, a stop word, the end, or the parenthesis closing the enclosing group. */
  private boolean atBoundary() {
    Token t = in.peek(0);
    return t.type() == Token.Type.EOF
        || t.isPunct(';')
        || t.isPunct(')')
        || isOr()
        || isAnd()
        || (t.type() == Token.Type.WORD && stops.contains(t.upper()));
  }

  /**
   * Consumes the rest of the current term: up to AND/OR (or, with {@code whole}, up to the end of
   * the condition), a stop word, the end, or an unmatched closing parenthesis. A BETWEEN's AND and
   * anything inside parentheses or CASE ... END belong to the term.
   */
  private void skipTerm(boolean whole) {
    int depth = 0;
    int cases = 0;
    boolean between = false;
    while (true) {
      Token t = in.peek(0);
      if (t.type() == Token.Type.EOF) {
        return;
      }
      if (depth == 0 && cases == 0) {
        if (t.isPunct(';') || t.isPunct(')')) {
          return;
        }
        if (t.type() == Token.Type.WORD && stops.contains(t.upper())) {
          return;
        }
        if (!whole && (isOr() || isAnd())) {
          if (between && isAnd()) {
            between = false;
          } else {
            return;
          }
        }
        if (t.is("BETWEEN")) {
          between = true;
        }
      }
      if (t.isPunct('(')) {
        depth++;
      } else if (t.isPunct(')')) {
        depth--;
      } else if (t.is("CASE")) {
        cases++;
      } else if (t.is("END") && cases > 0) {
        cases--;
      }
      take();
    }
  }

  /** One side of a comparison: a constant, a column reference, or a condition's value. */
  private record Operand(Value bool, BigDecimal number, String string, List<String> column) {
    static Operand of(Value v) {
      return new Operand(v, null, null, null);
    }

    Value isNull() {
      if (column != null || bool == Value.ROW) {
        return Value.ROW;
      }
      if (bool == Value.CONST) {
        return Value.CONST;
      }
      return bool == Value.NULL ? Value.TRUE : Value.FALSE;
    }

    /** The value as a condition: PostgreSQL's boolean input for strings, MySQL's numbers. */
    Value truth(boolean mysql) {
      if (bool != null) {
        return bool;
      }
      if (column != null) {
        return Value.ROW;
      }
      if (number != null) {
        return number.signum() != 0 ? Value.TRUE : Value.FALSE;
      }
      String s = string.strip().toLowerCase(Locale.ROOT);
      if (mysql) {
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
          i++;
        }
        try {
          return i > 0 && new BigDecimal(s.substring(0, i)).signum() != 0
              ? Value.TRUE
              : Value.FALSE;
        } catch (NumberFormatException e) {
          return Value.ROW;
        }
      }
      if (!s.isEmpty()
          && ("true".startsWith(s) || "yes".startsWith(s) || s.equals("on") || s.equals("1"))) {
        return Value.TRUE;
      }
      if (!s.isEmpty()
          && ("false".startsWith(s) || "no".startsWith(s) || s.equals("off") || s.equals("0"))) {
        return Value.FALSE;
      }
      return Value.ROW; // PostgreSQL rejects it: not a condition that holds for every row
    }
  }
}
