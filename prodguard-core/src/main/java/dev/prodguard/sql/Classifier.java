package dev.prodguard.sql;

import dev.prodguard.sql.Operation.Flag;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a statement into {@link Operation}s. A hand-written recogniser handles the statements
 * migrations are made of (it reads only as far as it needs: an INSERT is classified after its
 * target, whatever its size); what it does not know goes to JSqlParser; what neither can classify
 * is {@link OpKind#UNKNOWN}. Routine bodies (DO blocks, functions, procedures, triggers, events)
 * are split and classified too, and {@code EXECUTE}/{@code PREPARE} inside them is dynamic SQL.
 */
public final class Classifier {
  private static final int MAX_NESTING = 4;

  private final SqlSyntax syntax;
  private final Splitter splitter;
  private final ParserFallback fallback;

  public Classifier(SqlSyntax syntax) {
    this.syntax = syntax;
    this.splitter = new Splitter(syntax);
    this.fallback = new ParserFallback(syntax);
  }

  public SqlSyntax syntax() {
    return syntax;
  }

  public List<Operation> classify(SqlStatement statement) {
    List<Operation> out = new ArrayList<>(2);
    new Ctx(statement, out, false, 0).top();
    return out;
  }

  /** The classification of one (possibly nested) statement. */
  private final class Ctx {
    final SqlStatement s;
    final List<Operation> out;
    final boolean inBody;
    final int nesting;
    final Lexer lx;

    Ctx(SqlStatement s, List<Operation> out, boolean inBody, int nesting) {
      this.s = s;
      this.out = out;
      this.inBody = inBody;
      this.nesting = nesting;
      this.lx = new Lexer(s, syntax);
    }

    void add(
        OpKind kind,
        String target,
        String column,
        List<String> columns,
        Set<Flag> flags,
        String detail) {
      Set<Flag> f =
          flags == null ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(flagsOrEmpty(flags));
      if (inBody) {
        f.add(Flag.IN_BODY);
      }
      out.add(new Operation(kind, s, target, column, columns, f, detail));
    }

    void add(OpKind kind, String target) {
      add(kind, target, null, null, null, null);
    }

    void unknown(String why) {
      add(OpKind.UNKNOWN, null, null, null, null, why);
    }

    void top() {
      if (s.problem() != null) {
        unknown(s.problem());
        return;
      }
      Token first = lx.peek();
      if (first.type == Token.Type.EOF) {
        return;
      }
      if (first.isPunct('(')) {
        add(OpKind.SELECT, null);
        return;
      }
      if (first.type != Token.Type.WORD) {
        unknown("does not start with a SQL keyword");
        return;
      }
      switch (first.upper()) {
        case "SELECT", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC" -> add(OpKind.SELECT, null);
        case "WITH" -> with();
        case "INSERT", "REPLACE" -> insert();
        case "UPDATE" -> update();
        case "DELETE" -> delete();
        case "MERGE" -> merge();
        case "TRUNCATE" -> truncate();
        case "COPY" -> copy();
        case "LOAD" -> load();
        case "CREATE" -> create();
        case "ALTER" -> alter();
        case "DROP" -> drop();
        case "RENAME" -> rename();
        case "GRANT" -> grantOrRevoke(OpKind.GRANT);
        case "REVOKE" -> grantOrRevoke(OpKind.REVOKE);
        case "REASSIGN" -> add(OpKind.GRANT, null, null, null, null, "REASSIGN OWNED");
        case "COMMENT" -> add(OpKind.COMMENT, null);
        case "SET", "RESET", "USE" -> add(OpKind.SET_SESSION, null);
        case "BEGIN" -> begin();
        case "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END", "ABORT", "XA" ->
            add(OpKind.TRANSACTION, null);
        case "LOCK" -> lock();
        case "UNLOCK" -> add(OpKind.LOCK, null);
        case "ANALYZE",
            "ANALYSE",
            "VACUUM",
            "REINDEX",
            "CLUSTER",
            "REFRESH",
            "CHECKPOINT",
            "OPTIMIZE",
            "DISCARD",
            "NOTIFY",
            "LISTEN",
            "UNLISTEN",
            "DEALLOCATE",
            "CHECKSUM" ->
            add(OpKind.MAINTENANCE, null);
        case "EXPLAIN" -> explain();
        case "CALL" -> {
          lx.next();
          add(OpKind.CALL, name());
        }
        case "DO" -> doBlock();
        case "EXECUTE" -> add(OpKind.DYNAMIC_SQL, null, null, null, null, "EXECUTE");
        case "PREPARE" -> prepare();
        default -> fallback.classify(s, this::add, this::unknown);
      }
    }

    // ---- names -------------------------------------------------------------------------

    /** A possibly qualified object name, lower-case; null when the next token is not a name. */
    String name() {
      Token t = lx.peek();
      if (!t.isName()) {
        return null;
      }
      lx.next();
      StringBuilder sb = new StringBuilder(t.identifier());
      while (lx.peek().isPunct('.') && lx.peek(1).isName()) {
        lx.next();
        sb.append('.').append(lx.next().identifier());
      }
      if (lx.peek().isPunct('*')) {
        lx.next(); // PostgreSQL: table and descendants
      }
      return sb.toString();
    }

    /** The last part of a name such as {@code t.col}. */
    String columnName() {
      String n = name();
      if (n == null) {
        return null;
      }
      int dot = n.lastIndexOf('.');
      return dot < 0 ? n : n.substring(dot + 1);
    }

    void ifExists() {
      if (lx.peek().is("IF")) {
        lx.next();
        lx.accept("NOT");
        lx.accept("EXISTS");
      }
    }

    /** Skips to the next depth-0 comma (consumed) or the end; returns true at a comma. */
    boolean skipToComma() {
      int depth = 0;
      while (true) {
        Token t = lx.peek();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.isPunct(',')) {
          lx.next();
          return true;
        }
        lx.next();
      }
    }

    /** Consumes up to and including the depth-0 word; false when it never comes. */
    boolean skipPast(String word) {
      int depth = 0;
      while (true) {
        Token t = lx.next();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is(word)) {
          return true;
        }
      }
    }

    /**
     * Scans the rest of the statement for a depth-0 WHERE; a WHERE that is trivially true ({@code
     * WHERE true}, {@code WHERE 1=1}) does not count.
     */
    boolean hasWhere() {
      int depth = 0;
      while (true) {
        Token t = lx.next();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("WHERE")) {
          return !triviallyTrue();
        }
      }
    }

    boolean triviallyTrue() {
      Token a = lx.peek(0);
      Token b = lx.peek(1);
      if (a.type == Token.Type.NUMBER
          && b.isPunct('=')
          && lx.peek(2).type == Token.Type.NUMBER
          && a.text().equals(lx.peek(2).text())) {
        return endOfCondition(lx.peek(3));
      }
      if (a.is("TRUE") || (a.type == Token.Type.NUMBER && a.text().equals("1"))) {
        return endOfCondition(b);
      }
      return false;
    }

    boolean endOfCondition(Token t) {
      return t.type == Token.Type.EOF
          || t.is("RETURNING")
          || t.is("LIMIT")
          || t.is("ORDER")
          || t.isPunct(';');
    }

    // ---- DML ---------------------------------------------------------------------------

    void insert() {
      lx.next();
      while (lx.peek().is("LOW_PRIORITY")
          || lx.peek().is("DELAYED")
          || lx.peek().is("HIGH_PRIORITY")
          || lx.peek().is("IGNORE")) {
        lx.next();
      }
      lx.accept("INTO");
      String target = name();
      if (target == null) {
        fallback.classify(s, this::add, this::unknown);
        return;
      }
      List<String> cols = new ArrayList<>();
      if (lx.peek().isPunct('(')
          && lx.peek(1).isName()
          && !lx.peek(1).is("SELECT")
          && !lx.peek(1).is("WITH")
          && !lx.peek(1).is("VALUES")) {
        lx.next();
        while (lx.peek().isName()) {
          cols.add(columnName());
          if (!lx.acceptPunct(',')) {
            break;
          }
        }
      }
      add(OpKind.INSERT, target, null, cols, null, null);
    }

    void update() {
      lx.next();
      while (lx.peek().is("ONLY") || lx.peek().is("LOW_PRIORITY") || lx.peek().is("IGNORE")) {
        lx.next();
      }
      String target = name();
      if (target == null || !skipPast("SET")) {
        fallback.classify(s, this::add, this::unknown);
        return;
      }
      List<String> cols = new ArrayList<>();
      while (true) {
        if (lx.acceptPunct('(')) {
          while (lx.peek().isName()) {
            cols.add(columnName());
            if (!lx.acceptPunct(',')) {
              break;
            }
          }
          lx.acceptPunct(')');
        } else {
          String c = columnName();
          if (c == null) {
            break;
          }
          cols.add(c);
        }
        if (!skipAssignment()) {
          break;
        }
      }
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      if (hasWhere()) {
        flags.add(Flag.HAS_WHERE);
      }
      add(OpKind.UPDATE, target, null, cols, flags, null);
    }

    /** Skips {@code = expr}; true when a depth-0 comma follows (another assignment). */
    boolean skipAssignment() {
      int depth = 0;
      while (true) {
        Token t = lx.peek();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0) {
          if (t.isPunct(',')) {
            lx.next();
            return true;
          }
          if (t.is("FROM")
              || t.is("WHERE")
              || t.is("RETURNING")
              || t.is("ORDER")
              || t.is("LIMIT")) {
            return false;
          }
        }
        lx.next();
      }
    }

    void delete() {
      lx.next();
      while (lx.peek().is("LOW_PRIORITY") || lx.peek().is("QUICK") || lx.peek().is("IGNORE")) {
        lx.next();
      }
      lx.accept("FROM");
      lx.accept("ONLY");
      String target = name();
      if (target == null) {
        fallback.classify(s, this::add, this::unknown);
        return;
      }
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      if (hasWhere()) {
        flags.add(Flag.HAS_WHERE);
      }
      add(OpKind.DELETE, target, null, null, flags, null);
    }

    void merge() {
      lx.next();
      lx.accept("INTO");
      lx.accept("ONLY");
      String target = name();
      if (target == null) {
        fallback.classify(s, this::add, this::unknown);
        return;
      }
      add(OpKind.MERGE, target);
    }

    void truncate() {
      lx.next();
      lx.accept("TABLE");
      List<String> tables = new ArrayList<>();
      do {
        lx.accept("ONLY");
        String n = name();
        if (n == null) {
          break;
        }
        tables.add(n);
      } while (lx.acceptPunct(','));
      if (tables.isEmpty()) {
        unknown("TRUNCATE without a table name");
        return;
      }
      boolean cascade = false;
      while (!lx.atEnd()) {
        if (lx.next().is("CASCADE")) {
          cascade = true;
        }
      }
      for (String t : tables) {
        add(OpKind.TRUNCATE, t, null, null, cascade ? EnumSet.of(Flag.CASCADE) : null, null);
      }
    }

    void copy() {
      lx.next();
      if (lx.peek().isPunct('(')) {
        add(OpKind.SELECT, null); // COPY (query) TO ...
        return;
      }
      String target = name();
      if (target == null) {
        unknown("COPY without a table name");
        return;
      }
      if (lx.peek().isPunct('(')) {
        skipParens();
      }
      if (lx.peek().is("FROM")) {
        add(OpKind.COPY_IN, target);
      } else {
        add(OpKind.SELECT, target);
      }
    }

    void load() {
      if (!skipPast("INTO")) {
        unknown("LOAD without INTO");
        return;
      }
      lx.accept("TABLE");
      add(OpKind.COPY_IN, name());
    }

    /** Consumes a parenthesised group; returns its closing token (EOF when unbalanced). */
    Token skipParens() {
      int depth = 0;
      Token t;
      do {
        t = lx.next();
        if (t.type == Token.Type.EOF) {
          return t;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        }
      } while (depth > 0);
      return t;
    }

    /** WITH: data-modifying CTE bodies are classified, then the main statement. */
    void with() {
      lx.next();
      lx.accept("RECURSIVE");
      while (true) {
        if (name() == null) {
          fallback.classify(s, this::add, this::unknown);
          return;
        }
        if (lx.peek().isPunct('(')) {
          skipParens(); // column list
        }
        if (!lx.accept("AS")) {
          fallback.classify(s, this::add, this::unknown);
          return;
        }
        lx.accept("NOT");
        lx.accept("MATERIALIZED");
        Token open = lx.peek();
        if (!open.isPunct('(')) {
          fallback.classify(s, this::add, this::unknown);
          return;
        }
        Token close = skipParens();
        sub(open.end, close.start);
        if (!lx.acceptPunct(',')) {
          break;
        }
      }
      Token main = lx.peek();
      if (main.type == Token.Type.EOF) {
        unknown("WITH without a main statement");
        return;
      }
      sub(main.start, s.end());
    }

    /** Classifies a part of this statement as a statement of its own. */
    void sub(int start, int end) {
      if (nesting >= MAX_NESTING) {
        unknown("nested too deeply to analyse");
        return;
      }
      SourceFile src = s.source();
      int st = start;
      while (st < end && Character.isWhitespace(src.text().charAt(st))) {
        st++;
      }
      SqlStatement inner = new SqlStatement(src, st, end, src.line(st), src.column(st), null);
      new Ctx(inner, out, inBody, nesting + 1).top();
    }

    // ---- DDL ---------------------------------------------------------------------------

    void create() {
      lx.next();
      lx.accept("OR", "REPLACE");
      if (lx.peek().is("DEFINER")) {
        // MySQL: DEFINER = user@host before the object kind
        while (!lx.atEnd()
            && !(lx.peek().is("PROCEDURE")
                || lx.peek().is("FUNCTION")
                || lx.peek().is("TRIGGER")
                || lx.peek().is("EVENT")
                || lx.peek().is("VIEW"))) {
          lx.next();
        }
      }
      while (lx.peek().is("GLOBAL")
          || lx.peek().is("LOCAL")
          || lx.peek().is("TEMP")
          || lx.peek().is("TEMPORARY")
          || lx.peek().is("UNLOGGED")
          || lx.peek().is("ONLINE")
          || lx.peek().is("OFFLINE")
          || lx.peek().is("AGGREGATE")
          || lx.peek().is("ALGORITHM")
          || lx.peek().is("SQL")
          || lx.peek().is("SECURITY")
          || lx.peek().is("DEFINER")
          || lx.peek().is("INVOKER")
          || lx.peek().is("UNDEFINED")
          || lx.peek().is("MERGE")
          || lx.peek().is("TEMPTABLE")
          || lx.peek().isPunct('=')) {
        lx.next();
      }
      Token kind = lx.next();
      switch (kind.upper()) {
        case "TABLE" -> {
          // IF NOT EXISTS may leave an existing table (with its data) in place
          boolean conditional = lx.peek().is("IF");
          ifExists();
          add(
              OpKind.CREATE_TABLE,
              name(),
              null,
              null,
              conditional ? EnumSet.of(Flag.IF_EXISTS) : null,
              null);
        }
        case "UNIQUE", "FULLTEXT", "SPATIAL", "INDEX" -> createIndex();
        case "VIEW", "MATERIALIZED", "RECURSIVE" -> add(OpKind.CREATE_VIEW, null);
        case "FUNCTION", "PROCEDURE" -> routine(kind.upper());
        case "TRIGGER", "CONSTRAINT" -> trigger();
        case "EVENT" -> event();
        case "SCHEMA", "DATABASE" -> {
          ifExists();
          add(OpKind.CREATE_SCHEMA, name());
        }
        case "ROLE", "USER", "GROUP" ->
            add(OpKind.GRANT, null, null, null, null, "CREATE " + kind.upper());
        case "" -> unknown("CREATE of an unrecognised kind");
        default -> add(OpKind.CREATE_OTHER, null, null, null, null, kind.upper());
      }
    }

    void createIndex() {
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      int depth = 0;
      while (true) {
        Token t = lx.next();
        if (t.type == Token.Type.EOF) {
          unknown("CREATE INDEX without ON table");
          return;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("CONCURRENTLY")) {
          flags.add(Flag.CONCURRENTLY);
        } else if (depth == 0 && t.is("ON")) {
          break;
        }
      }
      lx.accept("ONLY");
      add(OpKind.CREATE_INDEX, name(), null, null, flags, null);
    }

    void routine(String kind) {
      String fn = name();
      add(OpKind.CREATE_FUNCTION, fn, null, null, null, kind);
      if (syntax == SqlSyntax.POSTGRESQL) {
        pgRoutineBody();
      } else {
        mysqlRoutineBody();
      }
    }

    /** PostgreSQL: find LANGUAGE and the body ($$...$$, '...' or BEGIN ATOMIC). */
    void pgRoutineBody() {
      String language = null;
      Token body = null;
      Token atomic = null;
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = lx.next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("LANGUAGE")) {
          Token l = lx.next();
          language = l.type == Token.Type.STRING ? unquote(l.text()) : l.identifier();
        } else if (depth == 0 && t.is("AS") && body == null) {
          body = lx.next();
        } else if (depth == 0 && t.is("BEGIN") && lx.peek().is("ATOMIC")) {
          atomic = t;
          break;
        }
      }
      if (atomic != null) {
        body(atomic.start, s.end(), "sql");
        return;
      }
      if (body == null) {
        return; // RETURN expr (SQL-standard single expression) or a C function header
      }
      pgBody(body, language == null ? "sql" : language);
    }

    void pgBody(Token body, String language) {
      String lang = language.toLowerCase(Locale.ROOT);
      if (!lang.equals("plpgsql") && !lang.equals("sql")) {
        add(OpKind.DYNAMIC_SQL, null, null, null, null, "LANGUAGE " + lang + " body");
        return;
      }
      if (body.type == Token.Type.DOLLAR_STRING) {
        int tag = body.text().indexOf('$', 1) + 1;
        body(body.start + tag, body.end - tag, lang);
      } else {
        add(
            OpKind.DYNAMIC_SQL,
            null,
            null,
            null,
            null,
            "body in a quoted string: write it in dollar quotes ($$ ... $$) so it can be analysed");
      }
    }

    /** MySQL: the body starts at the first depth-0 statement keyword after the header. */
    void mysqlRoutineBody() {
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
          if (depth == 0) {
            lx.next();
            break;
          }
        }
        lx.next();
      }
      mysqlBodyFrom(false);
    }

    /** Skips characteristics and starts the body at the first statement keyword. */
    void mysqlBodyFrom(boolean immediate) {
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (immediate || startsMysqlBody(t) || (t.isName() && lx.peek(1).isPunct(':'))) {
          body(t.start, s.end(), "sql");
          return;
        }
        lx.next();
      }
    }

    boolean startsMysqlBody(Token t) {
      return switch (t.upper()) {
        case "BEGIN",
            "RETURN",
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "REPLACE",
            "CALL",
            "SET",
            "DROP",
            "ALTER",
            "CREATE",
            "TRUNCATE",
            "IF",
            "CASE",
            "WHILE",
            "LOOP",
            "REPEAT",
            "DECLARE",
            "GRANT",
            "REVOKE",
            "RENAME",
            "PREPARE",
            "EXECUTE",
            "WITH",
            "DO" ->
            true;
        default -> false;
      };
    }

    void trigger() {
      lx.accept("TRIGGER");
      String trig = name();
      if (!skipPast("ON")) {
        unknown("CREATE TRIGGER without ON table");
        return;
      }
      String table = name();
      add(OpKind.CREATE_TRIGGER, table, null, null, null, trig);
      if (syntax == SqlSyntax.MYSQL) {
        if (skipPast("ROW")) {
          if (lx.peek().is("FOLLOWS") || lx.peek().is("PRECEDES")) {
            lx.next();
            name();
          }
          mysqlBodyFrom(true);
        }
      }
    }

    void event() {
      String ev = name();
      add(OpKind.CREATE_FUNCTION, ev, null, null, null, "EVENT");
      if (skipPast("DO")) {
        mysqlBodyFrom(true);
      }
    }

    void doBlock() {
      lx.next();
      String language = "plpgsql";
      Token body = null;
      while (!lx.atEnd()) {
        Token t = lx.next();
        if (t.is("LANGUAGE")) {
          Token l = lx.next();
          language = l.type == Token.Type.STRING ? unquote(l.text()) : l.identifier();
        } else if (t.type == Token.Type.DOLLAR_STRING || t.type == Token.Type.STRING) {
          body = t;
        }
      }
      add(OpKind.DO_BLOCK, null);
      if (body == null) {
        unknown("DO without a body");
        return;
      }
      pgBody(body, language);
    }

    void begin() {
      if (syntax == SqlSyntax.MYSQL && lx.peek(1).is("NOT") && lx.peek(2).is("ATOMIC")) {
        add(OpKind.DO_BLOCK, null);
        body(lx.peek().start, s.end(), "sql");
        return;
      }
      add(OpKind.TRANSACTION, null);
    }

    void lock() {
      lx.next();
      lx.accept("TABLE");
      lx.accept("TABLES");
      lx.accept("ONLY");
      add(OpKind.LOCK, name());
    }

    void explain() {
      lx.next();
      boolean analyze = false;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.is("ANALYZE") || t.is("ANALYSE")) {
          analyze = true;
        }
        if (t.isPunct('(')) {
          int start = t.start;
          skipParens();
          if (s.source()
              .text()
              .substring(start, lastEnd())
              .toUpperCase(Locale.ROOT)
              .contains("ANALY")) {
            analyze = true;
          }
          continue;
        }
        if (t.type == Token.Type.WORD
            && switch (t.upper()) {
              case "SELECT",
                  "INSERT",
                  "UPDATE",
                  "DELETE",
                  "WITH",
                  "MERGE",
                  "VALUES",
                  "EXECUTE",
                  "CREATE",
                  "TABLE",
                  "REPLACE" ->
                  true;
              default -> false;
            }) {
          if (analyze) {
            sub(t.start, s.end());
          } else {
            add(OpKind.SELECT, null);
          }
          return;
        }
        lx.next();
      }
      add(OpKind.SELECT, null);
    }

    int lastEnd() {
      return lx.peek().start;
    }

    void prepare() {
      if (syntax == SqlSyntax.MYSQL) {
        add(OpKind.DYNAMIC_SQL, null, null, null, null, "PREPARE");
        return;
      }
      if (!skipPast("AS")) {
        unknown("PREPARE without AS");
        return;
      }
      sub(lx.peek().start, s.end());
    }

    void rename() {
      lx.next();
      if (lx.accept("USER")) {
        add(OpKind.GRANT, null, null, null, null, "RENAME USER");
        return;
      }
      if (!lx.accept("TABLE") && !lx.accept("TABLES")) {
        unknown("RENAME of an unrecognised kind");
        return;
      }
      do {
        String from = name();
        if (from == null || !lx.accept("TO")) {
          unknown("RENAME TABLE without a TO");
          return;
        }
        String to = name();
        add(OpKind.RENAME_TABLE, from, null, null, null, "to " + to);
      } while (lx.acceptPunct(','));
    }

    void grantOrRevoke(OpKind kind) {
      String target = null;
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = lx.next();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0 && t.is("ON")) {
          if (lx.accept("TABLE") || lx.peek().isName() && !isObjectKind(lx.peek())) {
            target = name();
          }
          break;
        }
      }
      add(kind, target);
    }

    boolean isObjectKind(Token t) {
      return switch (t.upper()) {
        case "SCHEMA",
            "DATABASE",
            "SEQUENCE",
            "FUNCTION",
            "PROCEDURE",
            "ROUTINE",
            "ALL",
            "TYPE",
            "DOMAIN",
            "LANGUAGE",
            "TABLESPACE",
            "FOREIGN",
            "LARGE",
            "PARAMETER" ->
            true;
        default -> false;
      };
    }

    void alter() {
      lx.next();
      Token kind = lx.next();
      switch (kind.upper()) {
        case "TABLE" -> alterTable();
        case "ONLINE", "IGNORE" -> {
          if (lx.accept("TABLE")) {
            alterTable();
          } else {
            add(OpKind.ALTER_OTHER, null);
          }
        }
        case "DEFAULT" -> {
          // ALTER DEFAULT PRIVILEGES ... GRANT | REVOKE
          while (!lx.atEnd()) {
            Token t = lx.next();
            if (t.is("GRANT")) {
              add(OpKind.GRANT, null, null, null, null, "ALTER DEFAULT PRIVILEGES");
              return;
            }
            if (t.is("REVOKE")) {
              add(OpKind.REVOKE, null, null, null, null, "ALTER DEFAULT PRIVILEGES");
              return;
            }
          }
          unknown("ALTER DEFAULT PRIVILEGES without GRANT or REVOKE");
        }
        case "ROLE", "USER", "GROUP" ->
            add(OpKind.GRANT, null, null, null, null, "ALTER " + kind.upper());
        case "FUNCTION", "PROCEDURE", "ROUTINE" -> add(OpKind.ALTER_FUNCTION, name());
        case "" -> unknown("ALTER of an unrecognised kind");
        default -> add(OpKind.ALTER_OTHER, null, null, null, null, kind.upper());
      }
    }

    void alterTable() {
      ifExists();
      lx.accept("ONLY");
      String table = name();
      if (table == null) {
        unknown("ALTER TABLE without a table name");
        return;
      }
      do {
        if (lx.atEnd()) {
          break;
        }
        alterAction(table);
      } while (skipToComma());
    }

    void alterAction(String table) {
      Token a = lx.next();
      switch (a.upper()) {
        case "ADD" -> {
          Token n = lx.peek();
          switch (n.upper()) {
            case "CONSTRAINT", "CHECK", "FOREIGN", "UNIQUE", "PRIMARY", "EXCLUDE" ->
                addConstraint(table);
            case "INDEX", "KEY", "FULLTEXT", "SPATIAL" ->
                add(OpKind.CREATE_INDEX, table, null, null, null, "ALTER TABLE ADD " + n.upper());
            default -> {
              lx.accept("COLUMN");
              ifExists();
              if (lx.acceptPunct('(')) {
                do {
                  addColumn(table);
                } while (skipToComma());
                return;
              }
              addColumn(table);
            }
          }
        }
        case "DROP" -> {
          Token n = lx.peek();
          switch (n.upper()) {
            case "CONSTRAINT", "CHECK", "FOREIGN", "PRIMARY" -> {
              lx.next();
              add(OpKind.DROP_CONSTRAINT, table);
            }
            case "INDEX", "KEY" -> {
              lx.next();
              add(OpKind.DROP_INDEX, table);
            }
            case "DEFAULT" -> add(OpKind.ALTER_COLUMN_DEFAULT, table);
            case "PARTITION" -> add(OpKind.DROP_TABLE, table, null, null, null, "DROP PARTITION");
            default -> {
              lx.accept("COLUMN");
              ifExists();
              String col = columnName();
              if (col == null) {
                add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, "DROP " + n.text());
                return;
              }
              boolean cascade = false;
              while (!lx.atEnd() && !lx.peek().isPunct(',')) {
                if (lx.next().is("CASCADE")) {
                  cascade = true;
                }
              }
              add(
                  OpKind.DROP_COLUMN,
                  table,
                  col,
                  null,
                  cascade ? EnumSet.of(Flag.CASCADE) : null,
                  null);
            }
          }
        }
        case "ALTER" -> {
          lx.accept("COLUMN");
          if (lx.peek().is("CONSTRAINT") || lx.peek().is("INDEX")) {
            add(OpKind.ALTER_TABLE_OTHER, table);
            return;
          }
          String col = columnName();
          Token b = lx.next();
          Token c = lx.peek();
          if (b.is("TYPE") || (b.is("SET") && c.is("DATA"))) {
            add(OpKind.ALTER_COLUMN_TYPE, table, col, null, null, null);
          } else if (b.is("SET") && c.is("NOT")) {
            add(OpKind.SET_NOT_NULL, table, col, null, null, null);
          } else if (b.is("DROP") && c.is("NOT")) {
            add(OpKind.DROP_NOT_NULL, table, col, null, null, null);
          } else if ((b.is("SET") || b.is("DROP")) && c.is("DEFAULT")) {
            add(OpKind.ALTER_COLUMN_DEFAULT, table, col, null, null, null);
          } else {
            add(OpKind.ALTER_TABLE_OTHER, table, col, null, null, b.upper());
          }
        }
        case "MODIFY" -> {
          lx.accept("COLUMN");
          String col = columnName();
          add(OpKind.ALTER_COLUMN_TYPE, table, col, null, null, "MODIFY redefines the column");
        }
        case "CHANGE" -> {
          lx.accept("COLUMN");
          String from = columnName();
          String to = columnName();
          if (from != null && to != null && !from.equals(to)) {
            add(OpKind.RENAME_COLUMN, table, from, null, null, "to " + to);
          }
          add(OpKind.ALTER_COLUMN_TYPE, table, from, null, null, "CHANGE redefines the column");
        }
        case "RENAME" -> {
          Token n = lx.peek();
          if (n.is("TO") || n.is("AS")) {
            lx.next();
            add(OpKind.RENAME_TABLE, table, null, null, null, "to " + name());
          } else if (n.is("CONSTRAINT") || n.is("INDEX") || n.is("KEY")) {
            add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, "RENAME " + n.upper());
          } else {
            lx.accept("COLUMN");
            String from = columnName();
            lx.accept("TO");
            add(OpKind.RENAME_COLUMN, table, from, null, null, "to " + columnName());
          }
        }
        case "VALIDATE" -> add(OpKind.VALIDATE_CONSTRAINT, table);
        default -> add(OpKind.ALTER_TABLE_OTHER, table, null, null, null, a.upper());
      }
    }

    void addConstraint(String table) {
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      if (lx.accept("CONSTRAINT")) {
        name();
      }
      Token k = lx.next();
      String detail = k.upper();
      switch (k.upper()) {
        case "CHECK" -> flags.add(Flag.CHECK);
        case "FOREIGN" -> {
          flags.add(Flag.FOREIGN_KEY);
          detail = "FOREIGN KEY";
        }
        case "UNIQUE", "PRIMARY" -> {
          flags.add(Flag.UNIQUE_OR_PRIMARY);
          if (k.is("PRIMARY")) {
            detail = "PRIMARY KEY";
          }
        }
        default -> {}
      }
      int depth = 0;
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (depth == 0) {
          if (t.isPunct(',')) {
            break;
          }
          if (t.is("NOT") && lx.peek(1).is("VALID")) {
            flags.add(Flag.NOT_VALID);
          }
          if (t.is("USING") && lx.peek(1).is("INDEX")) {
            flags.add(Flag.USING_INDEX);
          }
        }
        lx.next();
      }
      add(OpKind.ADD_CONSTRAINT, table, null, null, flags, detail);
    }

    void addColumn(String table) {
      String col = columnName();
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      int depth = 0;
      Token type = lx.peek();
      if (type.is("SERIAL") || type.is("BIGSERIAL") || type.is("SMALLSERIAL")) {
        flags.add(Flag.HAS_DEFAULT);
      }
      while (!lx.atEnd()) {
        Token t = lx.peek();
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          if (depth == 0) {
            break; // end of a MySQL ADD (a, b) list
          }
          depth--;
        } else if (depth == 0) {
          if (t.isPunct(',')) {
            break;
          }
          if (t.is("NOT") && lx.peek(1).is("NULL")) {
            flags.add(Flag.NOT_NULL);
          } else if (t.is("PRIMARY")) {
            flags.add(Flag.NOT_NULL);
          } else if (t.is("DEFAULT") || t.is("GENERATED") || t.is("AUTO_INCREMENT") || t.is("AS")) {
            flags.add(Flag.HAS_DEFAULT);
          } else if (t.is("REFERENCES")) {
            flags.add(Flag.FOREIGN_KEY);
          }
        }
        lx.next();
      }
      add(OpKind.ADD_COLUMN, table, col, null, flags, null);
    }

    void drop() {
      lx.next();
      lx.accept("TEMPORARY");
      Token kind = lx.next();
      switch (kind.upper()) {
        case "DATABASE" -> dropEach(OpKind.DROP_DATABASE);
        case "SCHEMA" ->
            dropEach(syntax == SqlSyntax.MYSQL ? OpKind.DROP_DATABASE : OpKind.DROP_SCHEMA);
        case "TABLE" -> dropEach(OpKind.DROP_TABLE);
        case "INDEX" -> dropIndex();
        case "VIEW" -> dropEach(OpKind.DROP_VIEW);
        case "MATERIALIZED" -> {
          lx.accept("VIEW");
          dropEach(OpKind.DROP_VIEW);
        }
        case "FUNCTION", "PROCEDURE", "ROUTINE", "AGGREGATE", "EVENT" ->
            dropEach(OpKind.DROP_FUNCTION);
        case "TRIGGER" -> {
          ifExists();
          String trig = name();
          String table = lx.accept("ON") ? name() : null;
          add(OpKind.DROP_TRIGGER, table, null, null, null, trig);
        }
        case "OWNED" ->
            add(
                OpKind.DROP_SCHEMA,
                null,
                null,
                null,
                null,
                "DROP OWNED drops every object a role owns");
        case "ROLE", "USER", "GROUP" ->
            add(OpKind.REVOKE, null, null, null, null, "DROP " + kind.upper());
        case "" -> unknown("DROP of an unrecognised kind");
        default -> add(OpKind.DROP_OTHER, null, null, null, null, kind.upper());
      }
    }

    void dropEach(OpKind kind) {
      ifExists();
      List<String> names = new ArrayList<>();
      do {
        String n = name();
        if (n == null) {
          break;
        }
        if (lx.peek().isPunct('(')) {
          skipParens(); // function signature
        }
        names.add(n);
      } while (lx.acceptPunct(','));
      boolean cascade = false;
      while (!lx.atEnd()) {
        if (lx.next().is("CASCADE")) {
          cascade = true;
        }
      }
      if (names.isEmpty()) {
        unknown("DROP without a name");
        return;
      }
      for (String n : names) {
        add(kind, n, null, null, cascade ? EnumSet.of(Flag.CASCADE) : null, null);
      }
    }

    void dropIndex() {
      Set<Flag> flags = EnumSet.noneOf(Flag.class);
      if (lx.accept("CONCURRENTLY")) {
        flags.add(Flag.CONCURRENTLY);
      }
      ifExists();
      String index = name();
      String table = lx.accept("ON") ? name() : null; // MySQL: DROP INDEX i ON t
      add(OpKind.DROP_INDEX, table, null, null, flags, index);
    }

    // ---- routine bodies ------------------------------------------------------------------

    /** Splits a routine body and classifies what it would run. */
    void body(int from, int to, String language) {
      if (nesting >= MAX_NESTING) {
        unknown("routine nested too deeply to analyse");
        return;
      }
      splitter.split(
          s.source(), from, to, piece -> new Ctx(piece, out, true, nesting + 1).bodyStatement());
    }

    /** One piece of a routine body: strips procedural control flow, then classifies the SQL. */
    void bodyStatement() {
      if (s.problem() != null) {
        unknown(s.problem());
        return;
      }
      while (true) {
        Token t = lx.peek();
        if (t.type == Token.Type.EOF) {
          return;
        }
        if (t.text().equals("<<")) {
          // <<label>>
          while (!lx.atEnd() && !lx.next().text().equals(">>")) {}
          continue;
        }
        if (t.isName() && lx.peek(1).isPunct(':') && !lx.peek(2).isPunct('=')) {
          lx.next();
          lx.next(); // MySQL label:
          continue;
        }
        if (t.type != Token.Type.WORD) {
          if (lx.peek(1).text().equals(":=")) {
            scanForExecute();
            return;
          }
          sub(t.start, s.end());
          return;
        }
        switch (t.upper()) {
          case "BEGIN" -> {
            lx.next();
            lx.accept("NOT");
            lx.accept("ATOMIC");
          }
          case "DECLARE" -> {
            if (syntax == SqlSyntax.MYSQL || !skipPast("BEGIN")) {
              scanForExecute();
              return;
            }
          }
          case "IF", "ELSIF", "ELSEIF", "WHEN" -> {
            if (!skipPastScanning("THEN")) {
              return;
            }
          }
          case "CASE" -> {
            lx.next();
            while (!lx.atEnd() && !lx.peek().is("WHEN")) {
              lx.next();
            }
          }
          case "ELSE", "LOOP", "REPEAT", "EXCEPTION" -> lx.next();
          case "WHILE", "FOR", "FOREACH" -> {
            if (!skipPastScanning(syntax == SqlSyntax.MYSQL && t.is("WHILE") ? "DO" : "LOOP")) {
              return;
            }
          }
          case "EXECUTE", "PREPARE" -> {
            dynamicAt(t, t.upper() + " in a routine body");
            return;
          }
          case "END",
              "RETURN",
              "RAISE",
              "PERFORM",
              "NULL",
              "EXIT",
              "CONTINUE",
              "LEAVE",
              "ITERATE",
              "GET",
              "OPEN",
              "FETCH",
              "CLOSE",
              "MOVE",
              "ASSERT",
              "SIGNAL",
              "RESIGNAL",
              "UNTIL",
              "DEALLOCATE" -> {
            scanForExecute();
            return;
          }
          default -> {
            Token n = lx.peek(1);
            if (n.text().equals(":=")
                || (n.isPunct('.') && lx.peek(3).text().equals(":="))
                || (n.isPunct('['))) {
              scanForExecute(); // assignment
              return;
            }
            sub(t.start, s.end());
            return;
          }
        }
      }
    }

    /** Like skipPast, but dynamic SQL in the skipped condition is still seen. */
    boolean skipPastScanning(String word) {
      int depth = 0;
      while (true) {
        Token t = lx.next();
        if (t.type == Token.Type.EOF) {
          return false;
        }
        if (t.isPunct('(')) {
          depth++;
        } else if (t.isPunct(')')) {
          depth--;
        } else if (t.is("EXECUTE")) {
          dynamicAt(t, "EXECUTE in a routine body");
        } else if (depth == 0 && t.is(word)) {
          return true;
        }
      }
    }

    void scanForExecute() {
      while (!lx.atEnd()) {
        Token t = lx.next();
        if (t.is("EXECUTE")) {
          dynamicAt(t, "EXECUTE in a routine body");
          return;
        }
      }
    }

    /** Dynamic SQL reported where the EXECUTE is, not where the body piece starts. */
    void dynamicAt(Token t, String detail) {
      SourceFile src = s.source();
      SqlStatement at =
          new SqlStatement(src, t.start, s.end(), src.line(t.start), src.column(t.start), null);
      Set<Flag> f = EnumSet.noneOf(Flag.class);
      if (inBody) {
        f.add(Flag.IN_BODY);
      }
      out.add(new Operation(OpKind.DYNAMIC_SQL, at, null, null, null, f, detail));
    }
  }

  private static Set<Flag> flagsOrEmpty(Set<Flag> f) {
    return f.isEmpty() ? EnumSet.noneOf(Flag.class) : f;
  }

  static String unquote(String s) {
    return s.length() >= 2 ? s.substring(1, s.length() - 1) : s;
  }
}
