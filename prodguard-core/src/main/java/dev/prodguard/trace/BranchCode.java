package dev.prodguard.trace;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a piece of SQL or PL/pgSQL code reads that may decide what it does, found on its text
 * conservatively (docs/trace.md, "Code that branches on data"): the code is cut into pieces (at
 * {@code ;} and after {@code THEN}, {@code ELSE}, {@code LOOP}, {@code BEGIN}, {@code DECLARE},
 * {@code EXCEPTION}); a piece that is a schema change ({@code ALTER TABLE ...}, {@code CREATE ...},
 * {@code DROP ...}, {@code GRANT}, ...) is what a branch does, every other piece is what a branch
 * may read (a condition, a loop's query, an assignment, a DML statement whose row count is {@code
 * FOUND}). Of those, it collects:
 *
 * <ul>
 *   <li>the names the code reads rows from ({@code FROM}, {@code JOIN}, {@code UPDATE}, {@code
 *       INSERT INTO}, {@code TABLE}, ...): {@link #relations}, resolved by the server later (a name
 *       that is no relation is a column, a variable or a common table expression);
 *   <li>the functions it calls ({@link #calls}): a user routine is followed, a server function
 *       counts as faithful only when {@link #FAITHFUL_FUNCTIONS} holds it (an allow-list: a
 *       function not in it, {@code pg_relation_size}, {@code now}, {@code current_setting}, ..., is
 *       not known to answer on the copy as on the target);
 *   <li>what is never faithful ({@link #unknown}): the session's identity and the clock as SQL
 *       keywords ({@code current_user}, {@code current_date}, ...), the catalog's columns that
 *       describe storage, statistics, ownership or the database ({@link #UNFAITHFUL_COLUMNS}), an
 *       exception handler that catches what the target's rows or locks may raise (anything but the
 *       schema's own conditions, {@link #SCHEMA_CONDITIONS}), the result of dynamic SQL.
 * </ul>
 *
 * <p>A piece that is not a single call ({@code SELECT f()}, {@code PERFORM f()}, {@code x := f()})
 * and calls a routine is recorded as {@link #perRowCalls}: how often the routine runs there depends
 * on rows. Strings are code too when the code runs dynamic SQL ({@code EXECUTE}).
 */
final class BranchCode {
  /**
   * Words that take a parenthesis and never call a routine: PostgreSQL's reserved keywords and
   * those it allows as column names only ({@code pg_get_keywords()}, catcode {@code R} and {@code
   * C}), which its grammar never reads as a function's name.
   */
  private static final Set<String> NOT_CALLS =
      Set.of(
          "in",
          "exists",
          "any",
          "some",
          "all",
          "array",
          "row",
          "values",
          "cast",
          "as",
          "on",
          "and",
          "or",
          "not",
          "then",
          "when",
          "else",
          "where",
          "select",
          "using",
          "into",
          "check",
          "references",
          "unique",
          "with",
          "returning",
          "lateral",
          "case",
          "end",
          "from",
          "for",
          "between",
          "distinct",
          "null",
          "group",
          "order",
          "table",
          "variadic",
          "default",
          "primary",
          "foreign",
          "do",
          "union",
          "intersect",
          "except",
          "limit",
          "offset",
          "having",
          "window",
          "varchar",
          "character",
          "char",
          "numeric",
          "decimal",
          "timestamp",
          "time",
          "interval",
          "bit",
          "float",
          "precision",
          "extract",
          "overlay",
          "position",
          "trim",
          "substring",
          "collate");

  /**
   * Words that take a parenthesis in SQL or PL/pgSQL ({@code FILTER (WHERE ...)}, {@code PRIMARY
   * KEY (id)}, {@code IF (...)}) but that PostgreSQL does not reserve, so a user routine may be
   * named so and called ({@code filter()}, {@code key()}, {@code system()}): such a word followed
   * by a parenthesis is a call when the copy holds a user routine of that name ({@link #of(String,
   * boolean, Set)}; attacker 20, finding 05), and always a {@link #maybeCalls} candidate.
   */
  private static final Set<String> MAYBE_CALLS =
      Set.of(
          "if",
          "elsif",
          "filter",
          "over",
          "key",
          "include",
          "return",
          "while",
          "by",
          "join",
          "perform",
          "query",
          "loop",
          "is",
          "like",
          "ilike",
          "similar",
          "partition",
          "within",
          "execute",
          "raise",
          "assert",
          "exclude",
          "index",
          "of",
          "set",
          "update",
          "delete",
          "insert",
          "returns",
          "call",
          "nulls",
          "escape",
          "varying",
          "timestamptz",
          "timetz",
          "varbit",
          "zone",
          "bpchar",
          "elseif",
          "tablesample",
          "repeatable",
          "system",
          "bernoulli");

  /**
   * Server functions whose answer depends on their arguments, or on the schema's objects in the
   * catalog, and on nothing the copy holds otherwise than the target (rows, sizes, statistics,
   * session, server, clock, randomness). An allow-list: anything else is not faithful.
   */
  static final Set<String> FAITHFUL_FUNCTIONS =
      Set.of(
          "coalesce",
          "nullif",
          "greatest",
          "least",
          "format",
          "concat",
          "concat_ws",
          "lower",
          "upper",
          "initcap",
          "length",
          "char_length",
          "character_length",
          "octet_length",
          "substr",
          "substring",
          "replace",
          "split_part",
          "trim",
          "btrim",
          "ltrim",
          "rtrim",
          "left",
          "right",
          "strpos",
          "position",
          "starts_with",
          "regexp_replace",
          "regexp_match",
          "regexp_like",
          "repeat",
          "reverse",
          "lpad",
          "rpad",
          "translate",
          "quote_ident",
          "quote_literal",
          "quote_nullable",
          "count",
          "sum",
          "min",
          "max",
          "bool_and",
          "bool_or",
          "every",
          "string_agg",
          "array_agg",
          "array_length",
          "array_upper",
          "array_lower",
          "array_position",
          "array_positions",
          "array_to_string",
          "string_to_array",
          "array_append",
          "array_prepend",
          "array_cat",
          "array_remove",
          "cardinality",
          "unnest",
          "generate_series",
          "abs",
          "ceil",
          "floor",
          "round",
          "trunc",
          "mod",
          "sign",
          "to_regclass",
          "to_regtype",
          "to_regproc",
          "to_regprocedure",
          "to_regnamespace",
          "to_regoper",
          "to_regoperator",
          "to_regcollation",
          "format_type",
          "pg_get_constraintdef",
          "pg_get_indexdef",
          "pg_get_expr",
          "pg_get_viewdef",
          "pg_get_functiondef",
          "pg_get_function_arguments",
          "pg_get_function_identity_arguments",
          "pg_get_function_result",
          "pg_get_triggerdef",
          "pg_get_serial_sequence",
          "pg_get_partkeydef",
          "pg_typeof",
          "obj_description",
          "col_description",
          "current_schema",
          "current_schemas",
          "parse_ident",
          "jsonb_build_object",
          "json_build_object",
          "jsonb_build_array",
          "json_build_array",
          "to_jsonb",
          "to_json");

  /**
   * Columns of the catalog that describe what the copy holds otherwise than the target: storage and
   * statistics ({@code pg_class.relpages}, {@code reltuples}, ...), owners and privileges (the
   * copy's objects belong to the replay's role), tablespaces (the copy has none), populated
   * materialized views, dropped-default storage, row versions, and the database's name.
   */
  static final Set<String> UNFAITHFUL_COLUMNS =
      Set.of(
          "reltuples",
          "relpages",
          "relallvisible",
          "relallfrozen",
          "relfilenode",
          "relfrozenxid",
          "relminmxid",
          "reltablespace",
          "relowner",
          "relacl",
          "relispopulated",
          "proowner",
          "proacl",
          "typowner",
          "typacl",
          "nspowner",
          "nspacl",
          "attacl",
          "atthasmissing",
          "attmissingval",
          "tableowner",
          "viewowner",
          "matviewowner",
          "sequenceowner",
          "schema_owner",
          "tablespace",
          "ispopulated",
          "indisvalid",
          "indisready",
          "indislive",
          "xmin",
          "xmax",
          "cmin",
          "cmax",
          "ctid",
          "tableoid",
          "catalog_name",
          "datname",
          "datdba");

  /** The session's identity and the clock, as SQL keywords without parentheses. */
  private static final Set<String> SESSION_WORDS =
      Set.of(
          "current_user",
          "session_user",
          "current_role",
          "user",
          "system_user",
          "current_catalog",
          "current_date",
          "current_time",
          "current_timestamp",
          "localtime",
          "localtimestamp");

  /**
   * Conditions only the schema raises (an object that exists already, or does not): the same on the
   * copy as on the target. A handler for anything else (a row that breaks a constraint, a lock
   * timeout, {@code OTHERS}) runs where the target's rows or sessions raise, not the copy's.
   */
  static final Set<String> SCHEMA_CONDITIONS =
      Set.of(
          "duplicate_object",
          "duplicate_table",
          "duplicate_column",
          "duplicate_schema",
          "duplicate_function",
          "duplicate_database",
          "undefined_object",
          "undefined_table",
          "undefined_column",
          "undefined_function",
          "invalid_schema_name",
          "42710",
          "42p07",
          "42701",
          "42p06",
          "42723",
          "42704",
          "42p01",
          "42703",
          "42883",
          "3f000");

  /** First words of a piece that is what a branch does to the schema, not what it reads. */
  private static final Set<String> ACTIONS =
      Set.of(
          "alter",
          "create",
          "drop",
          "comment",
          "grant",
          "revoke",
          "lock",
          "truncate",
          "reindex",
          "cluster",
          "vacuum",
          "refresh",
          "security",
          "reset",
          "end",
          "null",
          "begin",
          "declare",
          "else",
          "exception",
          "loop");

  /** Words that make a piece more than a single call: it runs per row of something. */
  private static final Set<String> ROWS =
      Set.of(
          "from",
          "where",
          "having",
          "group",
          "limit",
          "offset",
          "fetch",
          "union",
          "intersect",
          "except",
          "window",
          "join",
          "tablesample",
          "values");

  enum Kind {
    WORD,
    IDENT,
    STRING,
    OTHER
  }

  /** A token: a word (lower case), a quoted identifier or string (content), or punctuation. */
  record Token(Kind kind, String text) {
    boolean is(String word) {
      return kind == Kind.WORD && text.equals(word);
    }
  }

  /** Relation names (as SQL text, {@code schema.name} or {@code name}) read as row sources. */
  final Set<String> relations = new LinkedHashSet<>();

  /** Functions called (lower-case names, without schema), other than keywords. */
  final Set<String> calls = new LinkedHashSet<>();

  /** Routines called in a piece that runs them per row of something, by lower-case name. */
  final Set<String> perRowCalls = new LinkedHashSet<>();

  /** Routines called inside a schema change that runs them per row ({@code DEFAULT f()}). */
  final Set<String> actionCalls = new LinkedHashSet<>();

  /**
   * Routines called in dynamic SQL's text other than as a single call: what the query reads may be
   * built by concatenation, out of what its strings name.
   */
  final Set<String> dynamicPerRowCalls = new LinkedHashSet<>();

  /** Routines called anywhere in the code (what is followed). */
  final Set<String> anyCalls = new LinkedHashSet<>();

  /** Phrases naming what the code reads that is never faithful. */
  final Set<String> unknown = new LinkedHashSet<>();

  /**
   * Words of {@link #MAYBE_CALLS} followed by a parenthesis, lower case: calls when the copy holds
   * a user routine so named ({@link #of(String, boolean, Set)}).
   */
  final Set<String> maybeCalls = new LinkedHashSet<>();

  private final boolean dynamic;

  /** The names of the copy's user routines, lower case: what a {@link #MAYBE_CALLS} word calls. */
  private final Set<String> routines;

  private BranchCode(boolean dynamic, Set<String> routines) {
    this.dynamic = dynamic;
    this.routines = routines;
  }

  /**
   * Whether {@code w}, a word followed by a parenthesis, is a call: never for a word PostgreSQL
   * reserves; for a word it does not reserve that also takes a parenthesis, only when a user
   * routine is so named (fail closed: the server resolves {@code filter()} to the user's routine).
   */
  private boolean call(String w) {
    if (NOT_CALLS.contains(w)) {
      return false;
    }
    if (MAYBE_CALLS.contains(w)) {
      maybeCalls.add(w);
      return routines.contains(w);
    }
    return true;
  }

  /**
   * The reads of {@code code} (a {@code DO} block's or a routine's body, or a statement). {@code
   * dynamic}: the code runs dynamic SQL, so its strings are read as code too.
   */
  static BranchCode of(String code, boolean dynamic) {
    return of(code, dynamic, Set.of());
  }

  /**
   * As {@link #of(String, boolean)}, where a word PostgreSQL does not reserve followed by a
   * parenthesis ({@code filter(}, {@code key(}) is a call when {@code routines} (the copy's user
   * routines, lower case, as {@code StatementProbe#routineBodies} keys them) holds it.
   */
  static BranchCode of(String code, boolean dynamic, Set<String> routines) {
    BranchCode out = new BranchCode(dynamic, routines);
    out.read(tokens(code));
    if (dynamic) {
      out.dynamicResults(tokens(code));
    }
    return out;
  }

  /** The body of a {@code DO} statement: its string (dollar-quoted or not); empty if none. */
  static String doBody(String sql) {
    for (Token t : tokens(sql)) {
      if (t.kind() == Kind.STRING) {
        return t.text();
      }
    }
    return "";
  }

  private void read(List<Token> all) {
    boolean handler = false;
    for (List<Token> p : pieces(all)) {
      if (p.isEmpty()) {
        continue;
      }
      String first = p.get(0).kind() == Kind.WORD ? p.get(0).text() : "";
      if (handler && "when".equals(first)) {
        handlerConditions(p);
        continue;
      }
      if ("end".equals(first)) {
        handler = false;
      }
      if (p.get(p.size() - 1).is("exception")
          && !(p.size() >= 2 && p.get(p.size() - 2).is("raise"))) {
        handler = true;
      }
      if (action(p)) {
        if (perRowAction(p)) {
          for (int i = 0; i + 1 < p.size(); i++) {
            if ((p.get(i).kind() == Kind.WORD || p.get(i).kind() == Kind.IDENT)
                && "(".equals(p.get(i + 1).text())
                && call(p.get(i).text())) {
              actionCalls.add(p.get(i).text().toLowerCase(Locale.ROOT));
              anyCalls.add(p.get(i).text().toLowerCase(Locale.ROOT));
            }
          }
        }
        continue;
      }
      input(p);
    }
  }

  /** A schema change: first word a DDL verb, and no query in it (a CTAS reads rows). */
  private static boolean action(List<Token> p) {
    Token first = p.get(0);
    if (first.kind() != Kind.WORD || !ACTIONS.contains(first.text())) {
      return false;
    }
    if (first.is("grant") || first.is("revoke")) {
      return true;
    }
    for (Token t : p) {
      if (t.is("from") || t.is("join") || t.is("where") || t.is("select")) {
        return false;
      }
    }
    return true;
  }

  /** A schema change that evaluates expressions per row of a table: ALTER TABLE, CREATE INDEX. */
  private static boolean perRowAction(List<Token> p) {
    if (p.size() < 2) {
      return false;
    }
    if (p.get(0).is("alter") && p.get(1).is("table")) {
      return true;
    }
    return p.get(0).is("create")
        && (p.get(1).is("index")
            || (p.get(1).is("unique") && p.size() > 2 && p.get(2).is("index")));
  }

  private void handlerConditions(List<Token> p) {
    for (Token t : p) {
      if (t.is("when") || t.is("then") || t.is("or") || t.is("sqlstate")) {
        continue;
      }
      if (t.kind() == Kind.WORD || t.kind() == Kind.STRING) {
        String condition = t.text().toLowerCase(Locale.ROOT);
        if (!SCHEMA_CONDITIONS.contains(condition)) {
          unknown.add(
              "an exception handler for "
                  + condition
                  + " (raised where the target's rows, locks or session raise it, not the copy's)");
        }
      }
    }
  }

  /** What a piece that is no schema change reads. */
  private void input(List<Token> p) {
    boolean single = single(p);
    for (int i = 0; i < p.size(); i++) {
      Token t = p.get(i);
      Token next = i + 1 < p.size() ? p.get(i + 1) : null;
      boolean paren = next != null && "(".equals(next.text());
      attribute(p, i, next);
      if (t.kind() == Kind.STRING) {
        if (dynamic) {
          BranchCode inner = new BranchCode(true, routines);
          inner.read(tokens(t.text()));
          absorb(inner, true);
        }
        continue;
      }
      if (t.kind() == Kind.IDENT && paren) {
        // a quoted name called: the routine's name as the catalog holds it
        String f = t.text().toLowerCase(Locale.ROOT);
        calls.add(f);
        anyCalls.add(f);
        if (!single) {
          perRowCalls.add(f);
        }
        continue;
      }
      if (t.kind() == Kind.IDENT) {
        String name = i > 0 && ".".equals(p.get(i - 1).text()) || paren ? null : name(p, i);
        if (name != null) {
          relations.add(name);
        }
        continue;
      }
      if (t.kind() != Kind.WORD) {
        continue;
      }
      String w = t.text();
      if (SESSION_WORDS.contains(w) && !paren) {
        unknown.add(w + " (the replay's session, database or clock, not the deploy's)");
      }
      boolean schema = next != null && ".".equals(next.text());
      if (!schema && (UNFAITHFUL_COLUMNS.contains(w) || w.endsWith("_catalog"))) {
        unknown.add(
            w + " (a catalog column that describes the copy's storage, owners or database)");
      }
      if (paren && call(w)) {
        calls.add(w);
        anyCalls.add(w);
        if (!single) {
          perRowCalls.add(w);
        }
      }
      // every name may be a relation it reads rows from (FROM a, b; JOIN; UPDATE; a subquery):
      // the server resolves which are (a column, a variable, an alias is none)
      boolean qualifier = i > 0 && ".".equals(p.get(i - 1).text());
      String name = qualifier || paren ? null : name(p, i);
      if (name != null && !NOT_CALLS.contains(w)) {
        int after = i + (name.contains(".") ? 3 : 1);
        if (!(after < p.size() && "(".equals(p.get(after).text()))) {
          relations.add(name);
        }
      }
    }
  }

  /**
   * PostgreSQL's attribute notation: {@code s.purge}, {@code sessions.purge}, {@code (row).purge}
   * call {@code purge(s)} once per row when no column is so named. A name after a dot that is not
   * followed by a parenthesis or another dot is a {@link #maybeCalls} candidate, and a call per row
   * when a user routine is so named (fail closed: a column of that name is taken for the routine).
   */
  private void attribute(List<Token> p, int i, Token next) {
    Token t = p.get(i);
    if (i == 0 || !".".equals(p.get(i - 1).text())) {
      return;
    }
    if (t.kind() != Kind.WORD && t.kind() != Kind.IDENT) {
      return;
    }
    if (next != null && ("(".equals(next.text()) || ".".equals(next.text()))) {
      return;
    }
    String f = t.text().toLowerCase(Locale.ROOT);
    if (f.isEmpty()) {
      return;
    }
    maybeCalls.add(f);
    if (routines.contains(f)) {
      calls.add(f);
      anyCalls.add(f);
      perRowCalls.add(f);
    }
  }

  /** Adds what {@code inner}, the code of a string, reads. */
  private void absorb(BranchCode inner, boolean fromString) {
    relations.addAll(inner.relations);
    calls.addAll(inner.calls);
    anyCalls.addAll(inner.anyCalls);
    perRowCalls.addAll(inner.perRowCalls);
    actionCalls.addAll(inner.actionCalls);
    unknown.addAll(inner.unknown);
    maybeCalls.addAll(inner.maybeCalls);
    dynamicPerRowCalls.addAll(inner.dynamicPerRowCalls);
    if (fromString) {
      dynamicPerRowCalls.addAll(inner.perRowCalls);
      dynamicPerRowCalls.addAll(inner.actionCalls);
    }
  }

  /**
   * Dynamic SQL whose result the code reads ({@code EXECUTE ... INTO}, a loop or a query over
   * {@code EXECUTE}, {@code GET DIAGNOSTICS} of what it did): built at run time, what it reads is
   * not known from the text.
   */
  private void dynamicResults(List<Token> all) {
    for (List<Token> p : pieces(all)) {
      boolean execute = false;
      for (Token t : p) {
        if (t.is("execute")) {
          execute = true;
        }
      }
      if (!execute && !(p.size() > 1 && p.get(0).is("get") && p.get(1).is("diagnostics"))) {
        continue;
      }
      boolean reads = p.get(0).is("get") || p.get(0).is("for") || p.get(0).is("return");
      boolean afterExecute = false;
      for (Token t : p) {
        if (t.is("execute")) {
          afterExecute = true;
        } else if (afterExecute && t.is("into")) {
          reads = true;
        }
        if (t.is("open")) {
          reads = true;
        }
      }
      if (reads) {
        unknown.add(
            "the result of dynamic SQL (EXECUTE ... INTO, a loop over EXECUTE, GET"
                + " DIAGNOSTICS): what it reads is built at run time");
        return;
      }
    }
  }

  /** {@code SELECT f(...)}, {@code PERFORM f(...)}, {@code CALL p(...)}, {@code x := f(...)}. */
  private static boolean single(List<Token> p) {
    Token first = p.get(0);
    boolean shape =
        first.is("select")
            || first.is("perform")
            || first.is("call")
            || first.is("return")
            || (p.size() > 1 && (":=".equals(p.get(1).text()) || "=".equals(p.get(1).text())));
    if (!shape) {
      return false;
    }
    for (Token t : p) {
      if (t.kind() == Kind.WORD && ROWS.contains(t.text())) {
        return false;
      }
    }
    return true;
  }

  /** The (possibly schema-qualified) name starting at {@code i}, as SQL text; null if none. */
  private static String name(List<Token> p, int i) {
    String a = part(p.get(i));
    if (a == null) {
      return null;
    }
    if (i + 2 < p.size() && ".".equals(p.get(i + 1).text())) {
      String b = part(p.get(i + 2));
      if (b != null) {
        return a + "." + b;
      }
    }
    return a;
  }

  private static String part(Token t) {
    if (t.kind() == Kind.WORD) {
      return t.text();
    }
    if (t.kind() == Kind.IDENT && !t.text().isEmpty()) {
      return "\"" + t.text().replace("\"", "\"\"") + "\"";
    }
    return null;
  }

  /**
   * The pieces of {@code all}: cut at {@code ;} and after {@code THEN}, {@code ELSE}, {@code LOOP},
   * {@code BEGIN}, {@code DECLARE}, {@code EXCEPTION} (not {@code RAISE EXCEPTION}).
   */
  static List<List<Token>> pieces(List<Token> all) {
    List<List<Token>> out = new ArrayList<>();
    List<Token> cur = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      Token t = all.get(i);
      if (";".equals(t.text()) && t.kind() == Kind.OTHER) {
        out.add(cur);
        cur = new ArrayList<>();
        continue;
      }
      cur.add(t);
      boolean cut =
          t.is("then")
              || t.is("else")
              || t.is("loop")
              || t.is("begin")
              || t.is("declare")
              || (t.is("exception") && !(i > 0 && all.get(i - 1).is("raise")));
      if (cut) {
        out.add(cur);
        cur = new ArrayList<>();
      }
    }
    out.add(cur);
    return out;
  }

  /** SQL/PL/pgSQL tokens of {@code s}, comments left out. */
  static List<Token> tokens(String s) {
    List<Token> out = new ArrayList<>();
    int n = s.length();
    int i = 0;
    while (i < n) {
      char ch = s.charAt(i);
      if (Character.isWhitespace(ch)) {
        i++;
      } else if (ch == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
        int e = s.indexOf('\n', i);
        i = e < 0 ? n : e + 1;
      } else if (ch == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        int depth = 0;
        while (i < n) {
          if (s.startsWith("/*", i)) {
            depth++;
            i += 2;
          } else if (s.startsWith("*/", i)) {
            depth--;
            i += 2;
            if (depth == 0) {
              break;
            }
          } else {
            i++;
          }
        }
      } else if (ch == '\'') {
        boolean escapes =
            !out.isEmpty()
                && i > 0
                && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e')
                && out.get(out.size() - 1).is("e");
        if (escapes) {
          out.remove(out.size() - 1);
        }
        StringBuilder b = new StringBuilder();
        i++;
        while (i < n) {
          char c = s.charAt(i);
          if (escapes && c == '\\' && i + 1 < n) {
            b.append(s.charAt(i + 1));
            i += 2;
          } else if (c == '\'' && i + 1 < n && s.charAt(i + 1) == '\'') {
            b.append('\'');
            i += 2;
          } else if (c == '\'') {
            i++;
            break;
          } else {
            b.append(c);
            i++;
          }
        }
        out.add(new Token(Kind.STRING, b.toString()));
      } else if (ch == '$' && tag(s, i) != null) {
        String tag = tag(s, i);
        int end = s.indexOf(tag, i + tag.length());
        int stop = end < 0 ? n : end;
        out.add(new Token(Kind.STRING, s.substring(i + tag.length(), stop)));
        i = end < 0 ? n : end + tag.length();
      } else if (ch == '"') {
        StringBuilder b = new StringBuilder();
        i++;
        while (i < n) {
          char c = s.charAt(i);
          if (c == '"' && i + 1 < n && s.charAt(i + 1) == '"') {
            b.append('"');
            i += 2;
          } else if (c == '"') {
            i++;
            break;
          } else {
            b.append(c);
            i++;
          }
        }
        out.add(new Token(Kind.IDENT, b.toString()));
      } else if (Character.isLetter(ch) || ch == '_') {
        int j = i;
        while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
          j++;
        }
        out.add(new Token(Kind.WORD, s.substring(i, j).toLowerCase(Locale.ROOT)));
        i = j;
      } else if (Character.isDigit(ch)) {
        int j = i;
        while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.')) {
          j++;
        }
        out.add(new Token(Kind.OTHER, s.substring(i, j)));
        i = j;
      } else if ((ch == ':' && i + 1 < n && (s.charAt(i + 1) == ':' || s.charAt(i + 1) == '='))) {
        out.add(new Token(Kind.OTHER, s.substring(i, i + 2)));
        i += 2;
      } else {
        out.add(new Token(Kind.OTHER, String.valueOf(ch)));
        i++;
      }
    }
    return out;
  }

  /** The dollar-quote tag ({@code $$}, {@code $body$}) starting at {@code i}, or null. */
  private static String tag(String s, int i) {
    int j = i + 1;
    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
      j++;
    }
    if (j < s.length()
        && s.charAt(j) == '$'
        && (j == i + 1 || !Character.isDigit(s.charAt(i + 1)))) {
      return s.substring(i, j + 1);
    }
    return null;
  }
}
