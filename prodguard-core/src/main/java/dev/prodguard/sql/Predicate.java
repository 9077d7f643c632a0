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
  record Target(Set<String> qualifiers, boolean alone, boolean any, boolean single) {
    static final Target ANY = new Target(Set.of(), true, true);

    Target(Set<String> qualifiers, boolean alone, boolean any) {
      this(qualifiers, alone, any, false);
    }

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
      return new Target(Set.copyOf(q), alone, false, true);
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

  /**
   * The names a routine body declares (its parameters and variables, lower-case) and which of a
   * variable and a same-named column the server reads: MariaDB's stored programs the variable
   * ({@link Rule#VARIABLE}); PostgreSQL's {@code LANGUAGE sql} bodies the column when the table has
   * one ({@link Rule#COLUMN}); PL/pgSQL decides by {@code variable_conflict}, which the server or
   * the role may set ({@link Rule#EITHER}: both readings are judged).
   */
  static final class Scope {
    enum Rule {
      VARIABLE,
      COLUMN,
      EITHER
    }

    Rule rule;
    final String routine;
    final Set<String> variables = new java.util.HashSet<>();

    Scope(Rule rule, String routine) {
      this.rule = rule;
      this.routine = routine == null ? null : Classifier.lastPart(routine);
    }
  }

  /**
   * What a condition's names are resolved with: the statement's target table as written, the tables
   * and columns the migrations made ({@link Routines}), the routine scope (null outside a body);
   * {@link #reason} says why a condition was judged to hold for every row when a name's resolution
   * decided it.
   */
  /**
   * A CTE of the statement: its column list when written ({@code WITH x(a, b) AS ...}), else null,
   * and its query's tokens.
   */
  record Cte(List<String> columns, List<Token> body) {
    /** Whether the CTE has the column: by its list, or by its query's select list. */
    boolean has(String column) {
      if (columns != null) {
        return columns.contains(column);
      }
      List<String> selected = selectList(body);
      return selected == null || selected.contains(column);
    }
  }

  /**
   * The output column names of a {@code SELECT}'s select list (an alias, or a column reference's
   * last part); null when a {@code *} may give any name or the query is not a plain SELECT.
   */
  static List<String> selectList(List<Token> q) {
    if (q.isEmpty() || !q.get(0).is("SELECT")) {
      return null;
    }
    List<String> names = new ArrayList<>();
    int i = 1;
    if (i < q.size() && (q.get(i).is("DISTINCT") || q.get(i).is("ALL"))) {
      i++;
    }
    List<Token> item = new ArrayList<>();
    int depth = 0;
    for (; i <= q.size(); i++) {
      Token t = i < q.size() ? q.get(i) : null;
      boolean end =
          t == null
              || (depth == 0 && (t.isPunct(',') || t.is("FROM") || t.is("INTO")))
              || (depth == 0 && t.type() == Token.Type.WORD && QUERY_CLAUSES.contains(t.upper()));
      if (end) {
        if (item.isEmpty()) {
          return null;
        }
        Token last = item.get(item.size() - 1);
        if (last.isPunct('*')) {
          return null;
        }
        if (last.isName()) {
          names.add(last.identifier().toLowerCase(Locale.ROOT));
        }
        item.clear();
        if (t == null || !t.isPunct(',')) {
          return names;
        }
        continue;
      }
      depth += t.isPunct('(') ? 1 : t.isPunct(')') ? -1 : 0;
      item.add(t);
    }
    return names;
  }

  static final class Names {
    /** The statement's CTEs, by name. */
    java.util.Map<String, Cte> ctes = java.util.Map.of();

    final String table;
    final Routines routines;
    final Scope scope;
    String reason;

    /** Set by a judgement that read a name as {@link Scope.Rule#EITHER} allows. */
    boolean ambiguous;

    Names(String table, Routines routines, Scope scope) {
      this.table = table;
      this.routines = routines;
      this.scope = scope;
    }
  }

  private final Tokens in;
  private final Set<String> stops;
  private Names res;

  /** The second reading of {@link Scope.Rule#EITHER}: a name that may be a variable is one. */
  private boolean variableReading;

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
    if (subqueries == 0 && variable(parts)) {
      return; // a routine's parameter or variable: the same value for every row
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
    return alwaysTrue(in, stops, syntax, target, null);
  }

  /**
   * The same, with the condition's names resolved as the server does ({@code names} may be null): a
   * routine's variable is a constant, a column compared with itself under any spelling ({@code id =
   * orders.id}) holds, a subquery column no table of the subquery is known to have is the outer
   * column, a subquery over the target without a condition selects every row, and MariaDB compares
   * a character column with a number as numbers. Where PL/pgSQL's {@code variable_conflict} decides
   * ({@link Scope.Rule#EITHER}), call it again over the same tokens with {@code variableReading}
   * when {@link Names#ambiguous} was set.
   */
  static boolean alwaysTrue(
      Tokens in, Set<String> stops, SqlSyntax syntax, Target target, Names names) {
    return alwaysTrue(in, stops, syntax, target, names, false);
  }

  static boolean alwaysTrue(
      Tokens in,
      Set<String> stops,
      SqlSyntax syntax,
      Target target,
      Names names,
      boolean variableReading) {
    Predicate p = new Predicate(in, stops, syntax, target);
    p.res = names;
    p.variableReading = variableReading;
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
    // x IS NULL OR x IS NOT NULL: every row
    Set<String> nullTests = new java.util.HashSet<>();
    Value v = and();
    if (lastAnd != null) {
      nullTests.add(lastAnd);
    }
    while (isOr()) {
      consumeOr();
      v = or(v, and());
      if (lastAnd != null) {
        nullTests.add(lastAnd);
      }
    }
    for (String t : nullTests) {
      if (t.startsWith("+") && nullTests.contains("-" + t.substring(1))) {
        return Value.TRUE;
      }
    }
    return v;
  }

  /** The null test ("+col" IS NULL, "-col" IS NOT NULL) that the last term read was, or null. */
  private String lastNull;

  /** The same for the last AND-chain read, when it was that one term. */
  private String lastAnd;

  /** Set by a term that is a null test of a target column, for {@link #comparison}. */
  private String pendingNull;

  private Value and() {
    Value v = not();
    String only = lastNull;
    boolean one = true;
    while (isAnd()) {
      consumeAnd();
      v = and(v, not());
      one = false;
    }
    lastAnd = one ? only : null;
    return v;
  }

  private Value not() {
    if (in.peek(0).is("NOT") || (mysql && in.peek(0).isPunct('!') && !in.peek(1).isPunct('='))) {
      take();
      Value v = negate(not());
      lastNull = null;
      return v;
    }
    return comparison();
  }

  private Value comparison() {
    int before = refs;
    pendingNull = null;
    Value v = comparisonTerm();
    lastNull = pendingNull;
    pendingNull = null;
    return v == Value.ROW && refs == before ? Value.CONST : v;
  }

  private Value comparisonTerm() {
    Operand left = primary();
    if (left == null) {
      skipTerm(false);
      return Value.ROW;
    }
    Value result;
    if (mysql
        && (in.peek(0).isPunct('+') || in.peek(0).isPunct('-'))
        && in.peek(1).type() == Token.Type.NUMBER
        && characters(left)) {
      // status + 0 = 0: the column as a number, every non-numeric value 0
      boolean minus = take().isPunct('-');
      BigDecimal n;
      try {
        n = new BigDecimal(take().text());
      } catch (NumberFormatException e) {
        skipTerm(false);
        return Value.ROW;
      }
      Operand column = left;
      String op = comparisonOperator();
      Operand right = op == null ? null : primary();
      BigDecimal r = right == null ? null : numeric(right);
      if (r == null || !atBoundary()) {
        skipTerm(false);
        return Value.ROW;
      }
      BigDecimal value = minus ? n.negate() : n;
      if (holds(op.equals("<=>") ? "=" : op, value.compareTo(r)) == Value.TRUE) {
        numericReason(column);
        return Value.TRUE;
      }
      return Value.ROW;
    }
    boolean negatedIn = in.peek(0).is("NOT") && in.peek(1).is("IN");
    if (own(left)
        && (in.peek(0).is("IN") || negatedIn)
        && in.peek(negatedIn ? 2 : 1).isPunct('(')) {
      int open = negatedIn ? 2 : 1;
      List<Token> inner = group(open);
      boolean every = false;
      if (!negatedIn && !inner.isEmpty() && isQuery(inner.get(0))) {
        every = selectsEveryRow(left.column.get(1), inner);
      } else if (!negatedIn && characters(left)) {
        // status IN (0): every non-numeric value
        boolean literals = true;
        boolean zero = false;
        for (Token t : inner) {
          if (t.type() == Token.Type.NUMBER) {
            try {
              zero |= new BigDecimal(t.text()).signum() == 0;
            } catch (NumberFormatException e) {
              literals = false;
            }
          } else if (t.is("FALSE")) {
            zero = true;
          } else if (!t.isPunct(',') && t.type() != Token.Type.STRING && !t.is("TRUE")) {
            literals = false;
          }
        }
        every = literals && zero;
        if (every) {
          numericReason(left);
        }
      }
      for (int i = 0; i < open; i++) {
        take();
      }
      skipGroup();
      if (!atBoundary()) {
        skipTerm(false);
        return Value.ROW;
      }
      return every ? Value.TRUE : Value.ROW;
    }
    if (own(left)
        && (in.peek(0).is("LIKE") || in.peek(0).is("ILIKE"))
        && in.peek(1).type() == Token.Type.STRING
        && in.peek(1).text().matches("'%+'")) {
      take();
      take();
      if (atBoundary()) {
        return Value.TRUE; // LIKE '%': every value that is not null
      }
      skipTerm(false);
      return Value.ROW;
    }
    if (in.peek(0).is("BETWEEN") && own(left)) {
      take();
      Operand low = primary();
      if (low != null && in.peek(0).is("AND")) {
        take();
        Operand high = primary();
        if (high != null && atBoundary()) {
          return own(low)
                  && own(high)
                  && low.column.equals(left.column)
                  && high.column.equals(left.column)
              ? Value.TRUE
              : Value.ROW;
        }
      }
      skipTerm(false);
      return Value.ROW;
    }
    String op = comparisonOperator();
    if (op != null
        && own(left)
        && (op.equals("=") || op.equals("<=>"))
        && (in.peek(0).is("ANY") || in.peek(0).is("SOME"))
        && in.peek(1).isPunct('(')) {
      List<Token> inner = group(1);
      boolean every =
          !inner.isEmpty()
              && (isQuery(inner.get(0)) || inner.get(0).is("ARRAY"))
              && selectsEveryRow(left.column.get(1), inner);
      take();
      skipGroup();
      if (!atBoundary()) {
        skipTerm(false);
        return Value.ROW;
      }
      return every ? Value.TRUE : Value.ROW;
    }
    if (op != null) {
      Operand right = primary();
      if (right == null) {
        skipTerm(false);
        return Value.ROW;
      }
      result = compare(left, op, right);
    } else if (!mysql && (in.peek(0).is("NOTNULL") || in.peek(0).is("ISNULL"))) {
      // PostgreSQL's postfix x NOTNULL / x ISNULL: IS NOT NULL / IS NULL
      boolean negated = take().is("NOTNULL");
      result = declaredNotNull(left) ? Value.FALSE : left.isNull();
      if (negated) {
        result = negate(result);
      }
      if (own(left) && atBoundary()) {
        pendingNull = (negated ? "-" : "+") + left.column.get(1);
      }
    } else if (in.peek(0).is("IS")) {
      take();
      boolean negated = acceptWord("NOT");
      Token t = take();
      if (t.is("NULL") || t.is("UNKNOWN")) {
        result = declaredNotNull(left) ? Value.FALSE : left.isNull();
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
      if (own(left) && (t.is("NULL") || t.is("UNKNOWN")) && atBoundary()) {
        pendingNull = (negated ? "-" : "+") + left.column.get(1);
      }
    } else if (characters(left)) {
      result = Value.FALSE; // every non-numeric value is 0: false (and NOT it true)
      numericReason(left);
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
    if (t.isName() && !t.holdsPlaceholder() && !isSyntax(t)) {
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
      if (variable(parts)) {
        return Operand.of(Value.CONST);
      }
      if (ownColumn(parts)) {
        return new Operand(null, null, null, List.of(OWN, parts.get(parts.size() - 1)));
      }
      return new Operand(null, null, null, parts);
    }
    return null;
  }

  /** The qualifier of a column of the target, under any of its spellings ({@link #ownColumn}). */
  private static final String OWN = "\0";

  /**
   * Whether a column reference names the target's column: unqualified while the target is alone, or
   * qualified with its name or alias. {@code id}, {@code orders.id} and {@code o.id} are then one
   * column, as the server resolves them.
   */
  private boolean ownColumn(List<String> parts) {
    if (!target.single() || target.any()) {
      return false;
    }
    return parts.size() == 1
        ? target.alone()
        : target.qualifiers().contains(parts.get(parts.size() - 2));
  }

  private static boolean own(Operand o) {
    return o.column != null && o.column.size() == 2 && OWN.equals(o.column.get(0));
  }

  /**
   * Whether a name is a routine's parameter or variable as the server reads it here ({@link
   * Scope}); a name PL/pgSQL may read either way is one only in the second reading.
   */
  private boolean variable(List<String> parts) {
    if (res == null || res.scope == null) {
      return false;
    }
    Scope sc = res.scope;
    if (parts.size() == 2 && sc.routine != null && parts.get(0).equals(sc.routine)) {
      return sc.variables.contains(parts.get(1)); // PostgreSQL's f.param
    }
    if (parts.size() != 1 || !sc.variables.contains(parts.get(0))) {
      return false;
    }
    String name = parts.get(0);
    switch (sc.rule) {
      case VARIABLE -> {
        res.reason =
            name
                + " is the routine's parameter or variable, not the column: MariaDB reads a"
                + " variable before a column of the same name; rename the parameter (p_"
                + name
                + ")";
        return true;
      }
      case COLUMN -> {
        if (res.routines != null && res.routines.hasColumn(res.table, name)) {
          res.reason =
              "in a LANGUAGE sql body the column "
                  + name
                  + " wins over the parameter of the same name; rename the parameter (p_"
                  + name
                  + ") or write $n";
          return false;
        }
      }
      default -> {}
    }
    res.ambiguous = true;
    res.reason =
        name
            + " is both a parameter or variable of the routine and maybe a column of "
            + res.table
            + ": which one the server reads depends on its settings (PL/pgSQL's"
            + " variable_conflict); rename the parameter (p_"
            + name
            + ")";
    return variableReading;
  }

  /**
   * Whether {@code column} is the target's column and the migrations declared it NOT NULL ({@link
   * Routines#isNotNull}): then {@code column IS NULL} is false for every row (and {@code IS NOT
   * NULL} true). Sets the reason.
   */
  private boolean declaredNotNull(Operand column) {
    if (!own(column)
        || res == null
        || res.routines == null
        || !res.routines.isNotNull(res.table, column.column.get(1))) {
      return false;
    }
    res.reason =
        column.column.get(1)
            + " is declared NOT NULL (or PRIMARY KEY), so a test of it for NULL is the same for"
            + " every row";
    return true;
  }

  /** Types whose MariaDB comparison with a number does not read every other value as 0. */
  private static final Set<String> NUMERIC_TYPES =
      Set.of(
          "TINYINT",
          "SMALLINT",
          "MEDIUMINT",
          "INT",
          "INTEGER",
          "BIGINT",
          "INT1",
          "INT2",
          "INT3",
          "INT4",
          "INT8",
          "MIDDLEINT",
          "DECIMAL",
          "DEC",
          "NUMERIC",
          "FIXED",
          "FLOAT",
          "DOUBLE",
          "REAL",
          "FLOAT4",
          "FLOAT8",
          "BIT",
          "BOOL",
          "BOOLEAN",
          "SERIAL",
          "YEAR",
          "DATE",
          "TIME",
          "DATETIME",
          "TIMESTAMP",
          "ENUM",
          "SET");

  /**
   * MariaDB: whether the target's column may hold characters (a character type, or a type the
   * migrations do not say: fail closed). Compared with a number, every non-numeric value is 0.
   */
  private boolean characters(Operand column) {
    if (!mysql || !own(column)) {
      return false;
    }
    String def =
        res == null || res.routines == null
            ? null
            : res.routines.columnDefinition(res.table, column.column.get(1));
    if (def == null) {
      return true;
    }
    int nul = def.indexOf('\0');
    return !NUMERIC_TYPES.contains(nul < 0 ? def : def.substring(0, nul));
  }

  private void numericReason(Operand column) {
    if (res != null) {
      res.reason =
          "MariaDB compares "
              + column.column.get(1)
              + (res.routines != null
                      && res.routines.columnDefinition(res.table, column.column.get(1)) != null
                  ? ", a character column,"
                  : ", a column whose type the migrations do not show,")
              + " with a number as numbers: every non-numeric value reads as 0; compare it with a"
              + " string ('0')";
    }
  }

  /** A numeric value of a constant operand in MariaDB's reading (TRUE 1, FALSE 0), else null. */
  private static BigDecimal numeric(Operand o) {
    if (o.number != null) {
      return o.number;
    }
    if (o.bool == Value.TRUE) {
      return BigDecimal.ONE;
    }
    if (o.bool == Value.FALSE) {
      return BigDecimal.ZERO;
    }
    return null;
  }

  /** {@code column op number} holds for every non-numeric value (read as 0) of the column. */
  private boolean zeroHolds(Operand column, String op, Operand other) {
    BigDecimal n = numeric(other);
    if (n == null || !characters(column)) {
      return false;
    }
    String o = op.equals("<=>") ? "=" : op;
    if (holds(o, BigDecimal.ZERO.compareTo(n)) != Value.TRUE) {
      return false;
    }
    numericReason(column);
    return true;
  }

  private static String flip(String op) {
    return switch (op) {
      case "<" -> ">";
      case ">" -> "<";
      case "<=" -> ">=";
      case ">=" -> "<=";
      default -> op;
    };
  }

  static Tokens tokens(List<Token> list) {
    Token eof = new Token(Token.Type.EOF, 0, 0, "");
    return new Tokens() {
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

  /** The tokens inside the parentheses opening at {@code in.peek(k)}, not consumed. */
  private List<Token> group(int k) {
    List<Token> out = new ArrayList<>();
    int depth = 0;
    for (int i = k; ; i++) {
      Token t = in.peek(i);
      if (t.type() == Token.Type.EOF) {
        return out;
      }
      if (t.isPunct('(')) {
        depth++;
        if (depth == 1) {
          continue;
        }
      } else if (t.isPunct(')')) {
        depth--;
        if (depth == 0) {
          return out;
        }
      }
      out.add(t);
    }
  }

  /** Consumes a parenthesised group (its tokens observed). */
  private void skipGroup() {
    int depth = 0;
    do {
      Token t = take();
      if (t.type() == Token.Type.EOF) {
        return;
      }
      if (t.isPunct('(')) {
        depth++;
      } else if (t.isPunct(')')) {
        depth--;
      }
    } while (depth > 0);
  }

  private static final Set<String> QUERY_CLAUSES =
      Set.of(
          "WHERE",
          "GROUP",
          "HAVING",
          "ORDER",
          "LIMIT",
          "OFFSET",
          "FETCH",
          "WINDOW",
          "FOR",
          "UNION",
          "EXCEPT",
          "INTERSECT",
          "MINUS");

  private static final Set<String> JOIN_WORDS =
      Set.of(
          "JOIN",
          "INNER",
          "LEFT",
          "RIGHT",
          "FULL",
          "OUTER",
          "CROSS",
          "NATURAL",
          "STRAIGHT_JOIN",
          "LATERAL");

  /**
   * Whether {@code left IN (query)} (or {@code = ANY (query)}) holds for every row of the target:
   * the query selects the target's own column {@code left}, either because its unqualified column
   * is not known to belong to one of its tables (SQL then reads the outer column: {@code id IN
   * (SELECT id FROM refunds)} where refunds has no id is {@code orders.id IN (SELECT orders.id
   * ...)}), or because it reads the target itself without a condition that limits it ({@code id IN
   * (SELECT id FROM orders LIMIT 1000)}: a LIMIT says how many, not which).
   */
  private boolean selectsEveryRow(String left, List<Token> q) {
    return selectsEveryRow(left, q, true, 0);
  }

  /** {@code outer}: the query may read the target's columns (not a CTE's query). */
  private boolean selectsEveryRow(String left, List<Token> q, boolean outer, int depthOfCtes) {
    if (q.size() >= 3
        && q.get(0).is("ARRAY")
        && q.get(1).isPunct('(')
        && q.get(q.size() - 1).isPunct(')')) {
      q = q.subList(2, q.size() - 1);
    }
    if (q.isEmpty()) {
      return false;
    }
    String table = res != null && res.table != null ? Classifier.lastPart(res.table) : null;
    int i = 0;
    if (q.get(0).is("TABLE")) {
      List<String> rel = nameAt(q, 1);
      boolean self =
          rel != null
              && table != null
              && 1 + 2 * rel.size() - 1 == q.size()
              && rel.get(rel.size() - 1).equals(table);
      if (self) {
        selfReason();
      }
      return self;
    }
    if (!q.get(0).is("SELECT")) {
      return false;
    }
    i = 1;
    if (i < q.size() && (q.get(i).is("DISTINCT") || q.get(i).is("ALL"))) {
      i++;
    }
    List<String> item = nameAt(q, i);
    if (item == null) {
      return false;
    }
    i += 2 * item.size() - 1;
    if (i >= q.size() || !q.get(i).is("FROM")) {
      return false;
    }
    i++;
    // the relations: name [AS] alias, by commas and joins; a derived table or a function: unknown
    List<String[]> rels = new ArrayList<>();
    boolean joined = false;
    boolean unknownRelation = false;
    int depth = 0;
    while (i < q.size()) {
      Token t = q.get(i);
      if (depth == 0 && t.type() == Token.Type.WORD && QUERY_CLAUSES.contains(t.upper())) {
        break;
      }
      if (depth == 0 && (t.isPunct(',') || JOIN_WORDS.contains(t.upper()))) {
        joined = true;
        i++;
        continue;
      }
      if (depth == 0 && (t.is("ON") || t.is("USING"))) {
        // the join condition, up to the next join or clause
        i++;
        int d = 0;
        while (i < q.size()) {
          Token c = q.get(i);
          if (d == 0
              && (c.isPunct(',')
                  || JOIN_WORDS.contains(c.upper())
                  || (c.type() == Token.Type.WORD && QUERY_CLAUSES.contains(c.upper())))) {
            break;
          }
          d += c.isPunct('(') ? 1 : c.isPunct(')') ? -1 : 0;
          i++;
        }
        continue;
      }
      if (t.isPunct('(') || t.isPunct(')')) {
        unknownRelation = true;
        depth += t.isPunct('(') ? 1 : -1;
        i++;
        continue;
      }
      if (depth > 0) {
        i++;
        continue;
      }
      List<String> rel = nameAt(q, i);
      if (rel == null) {
        unknownRelation = true;
        i++;
        continue;
      }
      i += 2 * rel.size() - 1;
      if (i < q.size() && q.get(i).isPunct('(')) {
        unknownRelation = true; // a function in FROM
        continue;
      }
      String alias = null;
      if (i < q.size() && q.get(i).is("AS")) {
        i++;
      }
      if (i < q.size()
          && q.get(i).isName()
          && !JOIN_WORDS.contains(q.get(i).upper())
          && !QUERY_CLAUSES.contains(q.get(i).upper())
          && !q.get(i).is("ON")
          && !q.get(i).is("USING")) {
        alias = q.get(i).identifier().toLowerCase(Locale.ROOT);
        i++;
      }
      rels.add(new String[] {String.join(".", rel), alias});
    }
    Set<String> relNames = new java.util.HashSet<>();
    for (String[] r : rels) {
      relNames.add(r[0]);
      relNames.add(Classifier.lastPart(r[0]));
      if (r[1] != null) {
        relNames.add(r[1]);
      }
    }
    String col = item.get(item.size() - 1);
    String qualifier = item.size() > 1 ? item.get(item.size() - 2) : null;
    if (qualifier != null && !relNames.contains(qualifier)) {
      // the outer query's column: orders.id IN (SELECT orders.id FROM refunds)
      boolean captured = outer && target.qualifiers().contains(qualifier) && col.equals(left);
      if (captured) {
        selfReason();
      }
      return captured;
    }
    if (!col.equals(left)) {
      return false;
    }
    java.util.Map<String, Cte> ctes = res == null ? java.util.Map.of() : res.ctes;
    if (rels.size() == 1 && !joined && !unknownRelation) {
      Cte cte = ctes.get(rels.get(0)[0]);
      if (cte != null && cte.has(col)) {
        // a CTE over the target that selects every row selects every row here too
        return depthOfCtes < 4 && selectsEveryRow(left, cte.body(), false, depthOfCtes + 1);
      }
    }
    if (!joined
        && !unknownRelation
        && rels.size() == 1
        && table != null
        && !ctes.containsKey(rels.get(0)[0])
        && Classifier.lastPart(rels.get(0)[0]).equals(table)) {
      // the target itself: every row unless its own condition limits them
      List<Token> where = new ArrayList<>();
      boolean having = false;
      int d = 0;
      boolean inWhere = false;
      for (; i < q.size(); i++) {
        Token t = q.get(i);
        if (d == 0 && t.type() == Token.Type.WORD && QUERY_CLAUSES.contains(t.upper())) {
          inWhere = t.is("WHERE");
          having |=
              t.is("HAVING")
                  || t.is("UNION")
                  || t.is("EXCEPT")
                  || t.is("INTERSECT")
                  || t.is("MINUS");
          continue;
        }
        d += t.isPunct('(') ? 1 : t.isPunct(')') ? -1 : 0;
        if (inWhere) {
          where.add(t);
        }
      }
      if (having) {
        return false;
      }
      boolean every =
          where.isEmpty()
              || alwaysTrue(
                  tokens(where),
                  Set.of(),
                  mysql ? SqlSyntax.MYSQL : SqlSyntax.POSTGRESQL,
                  Target.of(rels.get(0)[0], rels.get(0)[1], true),
                  res == null ? null : new Names(res.table, res.routines, null));
      if (every) {
        selfReason();
      }
      return every;
    }
    if (!outer || qualifier != null || unknownRelation && rels.isEmpty()) {
      return false;
    }
    for (String[] r : rels) {
      Cte cte = ctes.get(r[0]);
      if (cte != null && cte.has(col)) {
        return false; // the CTE's own column
      }
      if ((table != null && Classifier.lastPart(r[0]).equals(table))
          || (res != null && res.routines != null && res.routines.hasColumn(r[0], col))) {
        return false; // the subquery's own column
      }
    }
    if (res != null) {
      res.reason =
          "the subquery's "
              + col
              + " is not known to be a column of "
              + (rels.isEmpty() ? "its tables" : rels.get(0)[0])
              + ": where it is not, SQL reads the outer "
              + col
              + " and the condition holds for every row; qualify it ("
              + (rels.isEmpty() ? "t" : rels.get(0)[1] != null ? rels.get(0)[1] : rels.get(0)[0])
              + "."
              + col
              + ")";
    }
    return true;
  }

  private void selfReason() {
    if (res != null) {
      res.reason =
          "its condition selects every row: the subquery reads "
              + res.table
              + "'s own column without a condition that limits it (a LIMIT says how many rows,"
              + " not which)";
    }
  }

  /** A (possibly qualified) name at {@code q[i]}, lower-case parts; null when none. */
  private static List<String> nameAt(List<Token> q, int i) {
    if (i >= q.size() || !q.get(i).isName() || q.get(i).holdsPlaceholder()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    parts.add(q.get(i).identifier().toLowerCase(Locale.ROOT));
    while (i + 2 < q.size() && q.get(i + 1).isPunct('.') && q.get(i + 2).isName()) {
      parts.add(q.get(i + 2).identifier().toLowerCase(Locale.ROOT));
      i += 2;
    }
    return parts;
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

  private static boolean isQuery(Token t) {
    return t.is("SELECT") || t.is("WITH") || t.is("VALUES") || t.is("TABLE");
  }

  private Value compare(Operand l, String op, Operand r) {
    if (mysql && (zeroHolds(l, op, r) || zeroHolds(r, flip(op), l))) {
      return Value.TRUE;
    }
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
