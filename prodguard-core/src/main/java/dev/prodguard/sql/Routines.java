package dev.prodguard.sql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The functions and procedures that the analysed migrations define, with the operations of their
 * bodies, so that a call ({@code SELECT f()}, {@code CALL p()}) is judged by what it runs. Filled
 * in migration order as {@code CREATE FUNCTION/PROCEDURE} statements are classified: a later {@code
 * CREATE OR REPLACE} of the same signature replaces the body, {@code DROP} forgets the name. Names
 * are matched by their last part, case-insensitively (a call {@code app.f()} finds a definition
 * {@code f}): every overload of a name, in every schema, is followed, which can only find more.
 * Definitions are kept apart by their name as written and their signature: {@code util.cleanup()}
 * and {@code cleanup()} are two routines (a call {@code util.cleanup()} or, with another search
 * path, {@code cleanup()} may run either, so both bodies are judged at the call).
 */
public final class Routines {
  /** A routine body as classified at its definition. */
  public record Routine(String name, String signature, boolean procedure, List<Operation> body) {
    public Routine {
      body = List.copyOf(body);
    }
  }

  private final Map<String, Map<String, Routine>> byName = new HashMap<>();

  /**
   * The views the migrations define, by their last name part: the relations their query reads (a
   * write through an updatable view changes its base table); null when prodguard could not read
   * them (a function in FROM, a query it cannot follow).
   */
  private final Map<String, List<String>> views = new HashMap<>();

  /**
   * What reading a view the migrations define runs, by its last name part: the calls (and
   * unjudgeable parts) of its query, classified as deferred operations when it was defined (a
   * materialized view's query runs at {@code REFRESH} only).
   */
  private final Map<String, ViewCalls> viewCalls = new HashMap<>();

  /** The calls of a view's query; {@code materialized}: run by REFRESH, not by a read. */
  record ViewCalls(boolean materialized, List<Operation> calls) {
    ViewCalls {
      calls = List.copyOf(calls);
    }
  }

  /**
   * The routines each CHECK constraint the migrations add calls, by constraint name (merged over
   * tables: more, never less): {@code VALIDATE CONSTRAINT} evaluates it for every row.
   */
  private final Map<String, List<String>> constraintCalls = new HashMap<>();

  /**
   * The tables the migrations create, by their last name part (renamed and dropped ones followed):
   * PostgreSQL's {@code ALTER INDEX t RENAME TO u} renames a table {@code t}.
   */
  private final Set<String> tables = new HashSet<>();

  /**
   * Columns the migrations are known to have given a table, by the table's last name part: named in
   * its {@code CREATE TABLE} or added by {@code ADD COLUMN} (statements outside routine bodies),
   * forgotten when the table is created anew, dropped or renamed, or the column dropped or renamed.
   * Evidence that a column exists, never that one does not ({@code LIKE}, {@code INHERITS}, a table
   * made before the migrations or in a body can have more). G4 resolves names with it ({@link
   * Predicate}): an unqualified name in a subquery is that subquery's column only when it is known
   * to be one.
   */
  private final Map<String, Set<String>> knownColumns = new HashMap<>();

  /** Records that {@code table} has {@code column}. */
  void knownColumn(String table, String column) {
    if (table != null && column != null) {
      knownColumns
          .computeIfAbsent(key(table), k -> new HashSet<>())
          .add(column.toLowerCase(Locale.ROOT));
    }
  }

  /** Forgets {@code column} of {@code table}; a null column forgets the whole table's. */
  void forgetKnownColumn(String table, String column) {
    if (table == null) {
      return;
    }
    if (column == null) {
      knownColumns.remove(key(table));
    } else {
      Set<String> c = knownColumns.get(key(table));
      if (c != null) {
        c.remove(column.toLowerCase(Locale.ROOT));
      }
    }
  }

  /** Whether the migrations are known to have given {@code table} the column {@code column}. */
  boolean hasColumn(String table, String column) {
    if (table == null || column == null) {
      return false;
    }
    Set<String> c = knownColumns.get(key(table));
    return c != null && c.contains(column.toLowerCase(Locale.ROOT));
  }

  /**
   * Columns the migrations declared NOT NULL, by the table's last name part: {@code NOT NULL},
   * {@code PRIMARY KEY} (of the column or of the table), {@code SERIAL} and identity columns in its
   * {@code CREATE TABLE}, {@code ADD COLUMN ... NOT NULL}, {@code SET NOT NULL}, {@code ADD PRIMARY
   * KEY}; forgotten by {@code DROP NOT NULL}, a dropped column, a table created anew or dropped,
   * and a MariaDB redefinition without NOT NULL. G4 reads it ({@link Predicate}): {@code col IS NOT
   * NULL} of such a column holds for every row. A fact that is wrong (a table made before the
   * migrations with other columns) can only make a condition count as none: a warning more, never
   * one less.
   */
  private final Map<String, Set<String>> notNull = new HashMap<>();

  /** Records that {@code table.column} is NOT NULL; {@code known} false forgets it. */
  void notNull(String table, String column, boolean known) {
    if (table == null || column == null) {
      return;
    }
    if (known) {
      notNull
          .computeIfAbsent(key(table), k -> new HashSet<>())
          .add(column.toLowerCase(Locale.ROOT));
    } else {
      Set<String> c = notNull.get(key(table));
      if (c != null) {
        c.remove(column.toLowerCase(Locale.ROOT));
      }
    }
  }

  /** Forgets every NOT NULL fact of {@code table}. */
  void forgetNotNull(String table) {
    if (table != null) {
      notNull.remove(key(table));
    }
  }

  /** {@code table} renamed to {@code to}: its NOT NULL facts move with it. */
  void renameNotNull(String table, String to) {
    if (table == null || to == null) {
      return;
    }
    Set<String> c = notNull.remove(key(table));
    notNull.remove(key(to));
    if (c != null) {
      notNull.put(key(to), c);
    }
  }

  /** Whether the migrations declared {@code table.column} NOT NULL ({@link #notNull}). */
  public boolean isNotNull(String table, String column) {
    if (table == null || column == null) {
      return false;
    }
    Set<String> c = notNull.get(key(table));
    return c != null && c.contains(column.toLowerCase(Locale.ROOT));
  }

  /** Trigger name to its table, for MariaDB's DROP TRIGGER, which does not name the table. */
  private final Map<String, String> triggers = new HashMap<>();

  /**
   * MariaDB column definitions as the migrations wrote them (type and attributes, normalised),
   * keyed by {@code table.column} as written, lower-case; a column whose definition prodguard
   * cannot follow (changed in a routine body, its table renamed) is absent. {@code MODIFY} and
   * {@code CHANGE} are judged against it.
   */
  private final Map<String, String[]> columns = new HashMap<>();

  /**
   * The statements read so far of the file being classified (MariaDB's implicit commits): the file,
   * whether one of them changed rows, and how many there were.
   */
  private SourceFile file;

  private boolean rowsChanged;

  private int statements;

  /**
   * Records one statement of {@code source} ({@code changes}: it does more than read or set a
   * session variable); returns what the statements before it in the same file did: 0 nothing that a
   * commit keeps, 1 changes but no row changes, 2 row changes.
   */
  int before(SourceFile source, boolean changesRows, boolean changes) {
    if (source != file) {
      file = source;
      rowsChanged = false;
      statements = 0;
    }
    int was = rowsChanged ? 2 : statements > 0 ? 1 : 0;
    rowsChanged |= changesRows;
    if (changes) {
      statements++;
    }
    return was;
  }

  /**
   * The last known definition of {@code table.column}; null when unknown. The table must be written
   * as it was when defined ({@code app.t} and {@code t} may be different tables, or the same one):
   * otherwise unknown.
   */
  String columnDefinition(String table, String column) {
    if (table == null || column == null) {
      return null;
    }
    String[] known = columns.get(columnKey(table, column));
    return known != null && known[0].equals(table.toLowerCase(Locale.ROOT)) ? known[1] : null;
  }

  /** Records a column's definition; null forgets it (unknown from here on). */
  void defineColumn(String table, String column, String definition) {
    if (table == null || column == null) {
      return;
    }
    if (definition == null) {
      columns.remove(columnKey(table, column));
    } else {
      columns.put(
          columnKey(table, column), new String[] {table.toLowerCase(Locale.ROOT), definition});
    }
  }

  /** Forgets every column of every table named {@code table} (created anew, dropped, renamed). */
  void forgetColumns(String table) {
    if (table != null) {
      String prefix = key(table) + ".";
      columns.keySet().removeIf(k -> k.startsWith(prefix));
    }
  }

  /**
   * A table renamed: the column definitions recorded under its spelling {@code from} now belong to
   * {@code to}; those of any other spelling, and what was known of {@code to}, are forgotten.
   */
  void renameColumns(String from, String to) {
    if (from == null || to == null) {
      return;
    }
    String prefix = key(from) + ".";
    String spelling = from.toLowerCase(Locale.ROOT);
    Map<String, String> carried = new LinkedHashMap<>();
    columns.forEach(
        (k, v) -> {
          if (k.startsWith(prefix) && v[0].equals(spelling)) {
            carried.put(k.substring(prefix.length()), v[1]);
          }
        });
    forgetColumns(from);
    forgetColumns(to);
    carried.forEach((column, definition) -> defineColumn(to, column, definition));
  }

  /** By the table's last name part, so that forgetting a table forgets every spelling of it. */
  private static String columnKey(String table, String column) {
    return key(table) + "." + column.toLowerCase(Locale.ROOT);
  }

  void defineTrigger(String name, String table) {
    triggers.put(key(name), table);
  }

  /**
   * A trigger (PostgreSQL also a rule) the migrations create, with what it runs: a statement that
   * writes its table runs it, so what it writes is written by that statement (G4).
   *
   * @param table as written, lower case
   * @param events {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code TRUNCATE}; empty when
   *     prodguard could not read them (every write then fires it: fail closed)
   * @param body its operations: MariaDB the trigger's statement, PostgreSQL the call of its
   *     function (followed through {@link #find} when judged) or the rule's commands
   */
  public record TriggerBody(String name, String table, Set<String> events, List<Operation> body) {
    public TriggerBody {
      events = Set.copyOf(events);
      body = List.copyOf(body);
    }
  }

  /** The triggers and rules the migrations created so far, by name (last part). */
  private final Map<String, TriggerBody> triggerBodies = new LinkedHashMap<>();

  void defineTriggerBody(
      String name, String table, Set<String> events, List<Operation> body, boolean rule) {
    if (name != null && table != null) {
      triggerBodies.put(
          (rule ? "rule:" : "") + key(name), new TriggerBody(name, table, events, body));
    }
  }

  /**
   * What PostgreSQL evaluates by itself on every INSERT and UPDATE of {@code table}: the calls of a
   * CHECK, a DEFAULT or a generated column the migrations wrote ({@code what} says which), kept as
   * a trigger of the table named {@code what} (G4); no calls, nothing kept. More, never less: a
   * later DROP CONSTRAINT or DROP DEFAULT does not forget it.
   */
  void defineEvaluated(String what, String table, List<Operation> calls) {
    if (table != null && !calls.isEmpty()) {
      triggerBodies.put(
          "evaluated:" + (what + " of " + table).toLowerCase(Locale.ROOT),
          new TriggerBody(what, table.toLowerCase(Locale.ROOT), Set.of("INSERT", "UPDATE"), calls));
    }
  }

  void dropTriggerBody(String name, boolean rule) {
    if (name != null) {
      triggerBodies.remove((rule ? "rule:" : "") + key(name));
    }
  }

  /** The triggers and rules the migrations created (and did not drop), in creation order. */
  public java.util.Collection<TriggerBody> triggerBodies() {
    return java.util.Collections.unmodifiableCollection(triggerBodies.values());
  }

  /** The table of a trigger the migrations created; null when unknown. */
  String triggerTable(String name) {
    return name == null ? null : triggers.get(key(name));
  }

  void defineView(String name, List<String> bases) {
    views.put(key(name), bases == null ? null : List.copyOf(bases));
  }

  void dropView(String name) {
    views.remove(key(name));
    viewCalls.remove(key(name));
  }

  void renameView(String from, String to) {
    String k = key(from);
    if (views.containsKey(k)) {
      views.put(key(to), views.remove(k));
    }
    if (viewCalls.containsKey(k)) {
      viewCalls.put(key(to), viewCalls.remove(k));
    }
  }

  /** Records what a view's query calls; an empty list forgets it. */
  void defineViewCalls(String name, boolean materialized, List<Operation> calls) {
    if (calls.isEmpty()) {
      viewCalls.remove(key(name));
    } else {
      viewCalls.put(key(name), new ViewCalls(materialized, calls));
    }
  }

  /** Whether any view's query calls routines (reads need a look-up only then). */
  boolean readsRunCalls() {
    return !viewCalls.isEmpty() || !evaluatedOnRead.isEmpty() || !evaluatedOnRefresh.isEmpty();
  }

  /**
   * The target's relations whose read (refresh) PostgreSQL evaluates user code for, by last name.
   */
  private final Set<String> evaluatedOnRead = new java.util.HashSet<>();

  private final Set<String> evaluatedOnRefresh = new java.util.HashSet<>();

  /**
   * The target's relations (names, possibly qualified) whose read evaluates user code (a view's
   * query, a {@code FOR SELECT} policy) and the materialized views whose {@code REFRESH} does:
   * reading one is recorded as a {@link OpKind#SELECT} of it ({@code verify}, G4), which the lint
   * judges by what the target's catalog says is evaluated.
   */
  public void evaluatedOnRead(
      java.util.Collection<String> read, java.util.Collection<String> refresh) {
    read.forEach(r -> evaluatedOnRead.add(key(r)));
    refresh.forEach(r -> evaluatedOnRefresh.add(key(r)));
  }

  /** Whether reading ({@code refresh}: refreshing) the relation evaluates user code. */
  boolean evaluatesOnRead(String relation, boolean refresh) {
    return relation != null
        && (refresh ? evaluatedOnRefresh : evaluatedOnRead).contains(key(relation));
  }

  /** What reading (or, materialized, refreshing) the view runs; null when nothing is known. */
  ViewCalls viewCalls(String name) {
    return name == null ? null : viewCalls.get(key(name));
  }

  void defineConstraint(String name, List<String> calls) {
    if (name != null && !calls.isEmpty()) {
      constraintCalls.computeIfAbsent(key(name), k -> new ArrayList<>()).addAll(calls);
    }
  }

  /** The routines a CHECK constraint of that name calls, as written; empty when none known. */
  List<String> constraintCalls(String name) {
    return name == null ? List.of() : constraintCalls.getOrDefault(key(name), List.of());
  }

  /**
   * Follows the tables the migrations create, drop and rename ({@link #isTable}). {@code
   * mayNotRun}: the operation is in a body that runs later, or not at all: it adds names, never
   * removes one (more tables known means more renames judged as table renames).
   */
  void table(OpKind kind, String name, String renamedTo, boolean mayNotRun) {
    if (name == null) {
      return;
    }
    switch (kind) {
      case CREATE_TABLE -> tables.add(key(name));
      case DROP_TABLE -> {
        if (!mayNotRun) {
          tables.remove(key(name));
        }
      }
      case RENAME_TABLE -> {
        // SET SCHEMA keeps the name; only a rename moves it
        if (renamedTo != null && tables.contains(key(name))) {
          tables.add(key(renamedTo));
          if (!mayNotRun) {
            tables.remove(key(name));
          }
        }
      }
      default -> {}
    }
  }

  /** Whether a table of that name (last name part) was created by the migrations and still is. */
  boolean isTable(String name) {
    return name != null && tables.contains(key(name));
  }

  boolean isView(String name) {
    return name != null && views.containsKey(key(name));
  }

  /** The relations a view reads; null when unknown. Only for {@link #isView} names. */
  List<String> viewBases(String name) {
    return views.get(key(name));
  }

  void define(String name, String signature, boolean procedure, List<Operation> body) {
    byName
        .computeIfAbsent(key(name), k -> new LinkedHashMap<>())
        .put(
            name.toLowerCase(Locale.ROOT) + "(" + signature + ")",
            new Routine(name, signature, procedure, body));
  }

  /**
   * {@code ALTER FUNCTION from(...) RENAME TO to}: the bodies known under {@code from} are known
   * under {@code to} too (every overload: the signature is not matched; more, never less), so a
   * later call or trigger of {@code to} is judged by them (G4).
   */
  void rename(String from, String to) {
    Map<String, Routine> m = byName.get(key(from));
    if (m == null || to == null) {
      return;
    }
    Map<String, Routine> target = byName.computeIfAbsent(key(to), k -> new LinkedHashMap<>());
    for (Routine r : new ArrayList<>(m.values())) {
      target.put(
          to.toLowerCase(Locale.ROOT) + "(" + r.signature() + ")",
          new Routine(to, r.signature(), r.procedure(), r.body()));
    }
  }

  void drop(String name) {
    byName.remove(key(name));
  }

  /** Every known definition of {@code name}; empty when the migrations define none. */
  public List<Routine> find(String name) {
    Map<String, Routine> m = byName.get(key(name));
    return m == null ? List.of() : new ArrayList<>(m.values());
  }

  /**
   * Whether PostgreSQL may read {@code x.name} (attribute notation) as a call of a routine of that
   * name the migrations define: only a function that takes one argument (more when the others have
   * defaults, or one VARIADIC) is so called; a procedure or a function of no argument never is, so
   * {@code x.name} is then a column. A signature prodguard cannot read counts as callable.
   */
  public boolean attributeCallable(String name) {
    for (Routine r : find(name)) {
      if (!r.procedure() && takesOneArgument(r.signature())) {
        return true;
      }
    }
    return false;
  }

  /** From the parameter list as written (lower case, blanks folded): see above. */
  static boolean takesOneArgument(String signature) {
    List<String> inputs = new ArrayList<>();
    int depth = 0;
    int from = 0;
    String sig = signature + ",";
    for (int i = 0; i < sig.length(); i++) {
      char c = sig.charAt(i);
      if (c == '(' || c == '[') {
        depth++;
      } else if (c == ')' || c == ']') {
        depth--;
      } else if (c == '\'' || c == '"') {
        return true; // a quoted name or default: not read here
      } else if (c == ',' && depth == 0) {
        String p = sig.substring(from, i).strip();
        from = i + 1;
        if (!p.isEmpty() && !p.startsWith("out ")) {
          inputs.add(p);
        }
      }
    }
    if (inputs.isEmpty()) {
      return false;
    }
    for (int i = 1; i < inputs.size(); i++) {
      String p = inputs.get(i);
      if (!(p.contains(" default ") || p.contains("=") || p.startsWith("variadic "))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a call of {@code name} (last part, lower case) unqualified reads, to the analyser, as
   * the built-in function of that name: such calls are not followed, so a routine of the target
   * with that name (PostgreSQL: another signature, or a search path) is a shadow, looked up where
   * it is called (G4).
   */
  public static boolean builtinName(SqlSyntax syntax, String name) {
    return SqlNames.of(syntax).builtin(null, name);
  }

  /**
   * The names among {@code names} (last part, lower case) that read as built-in functions' to the
   * analyser ({@link #builtinName}): a target's routines of those names shadow a built-in.
   */
  public static Set<String> shadowing(SqlSyntax syntax, java.util.Collection<String> names) {
    Set<String> out = new java.util.HashSet<>();
    for (String name : names) {
      if (builtinName(syntax, name)) {
        out.add(name);
      }
    }
    return out;
  }

  /**
   * The names among {@code shadows} ({@link #shadowing}) that {@code text} calls: a name, not the
   * tail of a longer one, followed by a parenthesis; found in the text, strings and comments
   * included (more, never less). The one scan for a statement of a migration and for a body read
   * from the target (G4).
   */
  public static List<String> shadowCalls(String text, Set<String> shadows) {
    List<String> out = new ArrayList<>();
    String lower = text.toLowerCase(Locale.ROOT);
    for (String name : shadows) {
      if (java.util.regex.Pattern.compile(
              "(?<![\\w$])" + java.util.regex.Pattern.quote(name) + "\\s*\\(")
          .matcher(lower)
          .find()) {
        out.add(name);
      }
    }
    return out;
  }

  /**
   * The operators and operator classes the migrations create ({@code CREATE OPERATOR}, {@code
   * CREATE OPERATOR CLASS}, {@code ALTER OPERATOR FAMILY ... ADD}), by name as written, lower case
   * ({@code opclass:} before an operator class's): the functions the server runs for them (an
   * operator's {@code FUNCTION}, {@code RESTRICT} and {@code JOIN}; a class's support functions)
   * and, for a class, {@code operator:op} for each of its operators. More, never less: a later
   * {@code DROP OPERATOR} does not forget them.
   */
  private final Map<String, Set<String>> operators = new HashMap<>();

  /**
   * The target's user operators and operator classes ({@code verify} reads them from its catalog),
   * keyed as {@link #operators}: the functions they run, qualified with their schema.
   */
  private final Map<String, Set<String>> targetOperators = new HashMap<>();

  /** Records what an operator ({@code opclass}: an operator class) the migrations create runs. */
  void defineOperator(String name, boolean opclass, List<String> runs) {
    defineOperator(name, opclass, runs, false);
  }

  /**
   * Records what an operator, operator class or cast the migrations create runs; {@code implicit}:
   * PostgreSQL may pick it without the statement naming it ({@link #implicitRuns}).
   */
  void defineOperator(String name, boolean opclass, List<String> runs, boolean implicit) {
    if (name != null) {
      String k = operatorKey(name, opclass);
      operators.computeIfAbsent(k, x -> new java.util.LinkedHashSet<>()).addAll(runs);
      if (implicit || (!opclass && SqlNames.POSTGRESQL_OPERATORS.contains(k))) {
        implicitKeys.add(k);
      }
    }
  }

  /**
   * The keys of {@link #operators} and {@link #targetOperators} that PostgreSQL may pick by itself,
   * by the types of a statement's values, without the statement naming them: a user operator named
   * like a built-in one ({@code =} from IN, NULLIF, a simple CASE, IS DISTINCT FROM, a join's
   * USING), a default operator class (ORDER BY, DISTINCT, GROUP BY, UNION, min/max, GREATEST), a
   * cast with a function (an assignment or implicit cast of an INSERT's value, an explicit one).
   */
  private final Set<String> implicitKeys = new java.util.HashSet<>();

  /**
   * What the server may run, unnamed, for any statement that evaluates a value (G4): the functions
   * (and {@code operator:}/{@code family:} entries) of every user operator named like a built-in,
   * user default operator class and user cast with a function, of the migrations and the target.
   * Which one a statement picks depends on types prodguard does not resolve: all of them, more
   * never less. Empty in the common case (no such object).
   */
  Set<String> implicitRuns() {
    if (implicitKeys.isEmpty()) {
      return Set.of();
    }
    Set<String> out = new java.util.LinkedHashSet<>();
    for (String k : implicitKeys) {
      out.addAll(operators.getOrDefault(k, Set.of()));
      out.addAll(targetOperators.getOrDefault(k, Set.of()));
    }
    return out;
  }

  /**
   * The target's user operators ({@code opclass} false) and operator classes, by name (the last
   * part, lower case), with the functions the server runs for each (qualified); extensions' are not
   * among them (their own code).
   */
  public void targetOperator(String name, boolean opclass, java.util.Collection<String> runs) {
    targetOperator(name, opclass, runs, false);
  }

  /**
   * As {@link #targetOperator(String, boolean, java.util.Collection)}; {@code implicit}: the server
   * may pick it unnamed (a default operator class, a cast with a function; an operator named like a
   * built-in one always is), see {@link #implicitRuns}.
   */
  public void targetOperator(
      String name, boolean opclass, java.util.Collection<String> runs, boolean implicit) {
    String k = operatorKey(name, opclass);
    targetOperators.computeIfAbsent(k, x -> new java.util.LinkedHashSet<>()).addAll(runs);
    if (implicit || (!opclass && SqlNames.POSTGRESQL_OPERATORS.contains(k))) {
      implicitKeys.add(k);
    }
  }

  /**
   * What the server may run for a use of the operator ({@code opclass}: operator class) {@code
   * name} (last name part): the migrations' definitions and the target's, merged; null when neither
   * defines one of that name.
   */
  Set<String> operatorRuns(String name, boolean opclass) {
    String k = operatorKey(name, opclass);
    Set<String> a = operators.get(k);
    Set<String> b = targetOperators.get(k);
    if (a == null && b == null) {
      return null;
    }
    Set<String> out = new java.util.LinkedHashSet<>();
    if (a != null) {
      out.addAll(a);
    }
    if (b != null) {
      out.addAll(b);
    }
    return out;
  }

  /** Whether the migrations or the target define an operator or operator class of any name. */
  boolean anyOperators() {
    return !operators.isEmpty() || !targetOperators.isEmpty();
  }

  private static String operatorKey(String name, boolean opclass) {
    String n = name.toLowerCase(Locale.ROOT).replace("\"", "");
    if (opclass) {
      int dot = n.lastIndexOf('.');
      return "opclass:" + (dot < 0 ? n : n.substring(dot + 1));
    }
    return n;
  }

  /** Whether the migrations define any routine so far. */
  boolean any() {
    return !byName.isEmpty();
  }

  public boolean knows(String name) {
    return byName.containsKey(key(name));
  }

  private static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot < 0 ? n : n.substring(dot + 1);
  }
}
