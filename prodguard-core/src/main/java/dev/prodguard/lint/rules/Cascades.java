package dev.prodguard.lint.rules;

import dev.prodguard.contract.Contract;
import dev.prodguard.sql.OpKind;
import dev.prodguard.sql.Operation;
import dev.prodguard.sql.Routines;
import dev.prodguard.support.ForeignKey;
import dev.prodguard.support.TableDependency;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which writes reach a protected table through foreign keys (G4): a DELETE or UPDATE of a parent
 * row whose foreign key says {@code ON DELETE/UPDATE CASCADE}, {@code SET NULL} or {@code SET
 * DEFAULT} writes the protected child rows, and a {@code TRUNCATE ... CASCADE} of any table a
 * protected table references (directly or through other tables) empties it. Built from the foreign
 * keys the target's catalog records ({@code verify}); without a database ({@code lint}) there are
 * none and nothing is reported here.
 */
public final class Cascades {
  /** No foreign keys known. */
  public static final Cascades NONE = new Cascades(List.of(), List.of(), null);

  private final List<ForeignKey> keys;
  private final List<TableDependency> dependencies;
  private final Contract contract;
  private final TableParents parents;
  private ExistingTriggers triggers = ExistingTriggers.NONE;
  private Routines routines;

  /** The body being read runs by itself (a trigger's, a rule's, an event's): see {@link #calls}. */
  private boolean autorun;

  private java.util.function.Function<String, List<List<Operation>>> stored = n -> List.of();

  /** Names of the target's routines that read as built-ins (see {@link #shadowCalls}). */
  private Set<String> shadows = Set.of();

  /** The statement {@link #shadowCalls} last looked at (once per statement). */
  private Object shadowsSeenIn;

  private Map<String, String> onDelete;
  private Map<String, String> onUpdate;
  private Map<String, String> onTruncate;

  private Cascades(List<ForeignKey> keys, List<TableDependency> dependencies, Contract contract) {
    this(keys, dependencies, contract, new TableParents());
  }

  private Cascades(
      List<ForeignKey> keys,
      List<TableDependency> dependencies,
      Contract contract,
      TableParents parents) {
    this.keys = List.copyOf(keys);
    this.dependencies = List.copyOf(dependencies);
    this.contract = contract;
    this.parents = parents;
  }

  /**
   * As {@link #of(List, List, Contract)}, knowing which tables are partitions or inheritance
   * children of which ({@code parents}, read as it grows): a partition of a protected table is
   * protected, and so are the keys and dependencies that reach it.
   */
  public static Cascades of(
      List<ForeignKey> keys,
      List<TableDependency> dependencies,
      TableParents parents,
      Contract contract) {
    return new Cascades(keys, dependencies, contract, parents);
  }

  /**
   * These cascades, knowing the triggers the target's tables already have: a write to a table whose
   * trigger writes a protected table writes that table (G4).
   */
  public Cascades withTriggers(ExistingTriggers known) {
    Cascades c = new Cascades(keys, dependencies, contract, parents);
    c.triggers = known;
    c.routines = routines;
    c.stored = stored;
    c.shadows = shadows;
    return c;
  }

  /**
   * These cascades, knowing the routines, triggers and rules the migrations define (read as they
   * grow): a trigger's body, and every routine it calls, transitively, is judged by what it writes
   * on any path (G4).
   */
  public Cascades withRoutines(Routines known) {
    Cascades c = new Cascades(keys, dependencies, contract, parents);
    c.triggers = triggers;
    c.routines = known;
    c.stored = stored;
    c.shadows = shadows;
    return c;
  }

  /**
   * These cascades, knowing the routines the target already has ({@code verify} reads them from its
   * catalog): {@code bodies} gives, for a name (last part, lower case), the operations of every
   * routine of that name, a null body for one whose code cannot be read (fail closed); for a
   * qualified name ({@code schema.name}), those of that schema only.
   */
  public Cascades withStoredRoutines(
      java.util.function.Function<String, List<List<Operation>>> bodies) {
    Cascades c = new Cascades(keys, dependencies, contract, parents);
    c.triggers = triggers;
    c.routines = routines;
    c.stored = java.util.Objects.requireNonNull(bodies);
    c.shadows = shadows;
    return c;
  }

  /**
   * These cascades, knowing which of the target's routines have a name that reads as a built-in
   * function's ({@code names}, last part, lower case: {@code public.lower(int)}, a routine a user
   * created in {@code pg_catalog} under a built-in's name): the analyser does not follow calls of
   * built-ins, so a statement that calls such a name is judged by those routines' bodies.
   */
  public Cascades withShadowingRoutines(Set<String> names) {
    Cascades c = withStoredRoutines(stored);
    c.shadows = Set.copyOf(names);
    return c;
  }

  /**
   * How a statement's call of a name of {@link #withShadowingRoutines} reaches a protected table
   * through the target's routines of that name (every one: which the server picks depends on the
   * argument types and the search path); looked for in the statement's text, once per statement.
   */
  public Optional<String> shadowCalls(
      dev.prodguard.sql.SqlStatement statement, Predicate<String> fresh) {
    if (shadows.isEmpty()
        || statement == null
        || statement == shadowsSeenIn
        || contract == null
        || contract.protectedTables().isEmpty()) {
      return Optional.empty();
    }
    shadowsSeenIn = statement;
    for (String name : Routines.shadowCalls(statement.text(), shadows)) {
      Walk seen = new Walk(new HashSet<>(), fresh, true);
      for (List<Operation> body : stored.apply(name)) {
        if (body == null) {
          return Optional.of(
              "calls "
                  + name
                  + "(), which names a built-in and a routine of the target whose body prodguard"
                  + " cannot read: it may write a protected table");
        }
        Optional<String> how = runs(body, seen);
        if (how.isPresent()) {
          return Optional.of(
              "calls "
                  + name
                  + "(), which names a built-in and a routine of the target (the server picks by"
                  + " argument types and search path), which "
                  + how.get());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * How an operation of {@code kind} on {@code table} reaches a protected table through the
   * triggers (and PostgreSQL rules) it fires: those the target already has on it and those the
   * migrations created, followed through the tables their bodies write and the routines they call,
   * on every path ("fires trigger events_ai of public.events, whose body calls credit(), which does
   * update on protected table users"); a body or routine that cannot be read, or that runs dynamic
   * SQL, reaches one (fail closed) while the contract protects any table.
   */
  public Optional<String> fires(OpKind kind, String table) {
    return fires(kind, table, t -> false);
  }

  /**
   * As {@link #fires(OpKind, String)}; writes of the tables {@code fresh} accepts (created earlier
   * in the same migration: no production rows yet) do not count.
   */
  public Optional<String> fires(OpKind kind, String table, Predicate<String> fresh) {
    if (contract == null || contract.protectedTables().isEmpty()) {
      return Optional.empty();
    }
    if (triggers.isEmpty() && (routines == null || routines.triggerBodies().isEmpty())) {
      return Optional.empty();
    }
    return fires(kind, table, new Walk(new HashSet<>(), fresh, true));
  }

  /**
   * How a DDL statement (or one prodguard cannot read, which may be DDL) reaches a protected table
   * through the target's event triggers ({@code ddl_command_start}, {@code ddl_command_end}, {@code
   * sql_drop}, {@code table_rewrite}; prodguard's own are not among them): every one is followed,
   * whatever its tag filter (fail closed), through its function's body as a trigger's (G4).
   */
  public Optional<String> firesEventTriggers(Predicate<String> fresh) {
    if (contract == null || contract.protectedTables().isEmpty()) {
      return Optional.empty();
    }
    Walk seen = new Walk(new HashSet<>(), fresh, true);
    for (ExistingTriggers.Trigger t : triggers.eventTriggers()) {
      if (!seen.add("event/" + t.name())) {
        continue;
      }
      String head = "fires " + t.name() + ", whose function ";
      if (t.body() == null) {
        return Optional.of(
            head
                + "prodguard cannot read (a language other than plpgsql or sql, or an account"
                + " that may not see it): it may write a protected table");
      }
      Optional<String> how = runs(t.body(), seen);
      if (how.isPresent()) {
        return Optional.of(head + how.get());
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the body whose operations follow (those of the last statement-level operation: {@code
   * CREATE TRIGGER}, {@code CREATE RULE}, {@code CREATE EVENT}) runs by itself, without a call.
   */
  public void bodyRunsByItself(boolean runs) {
    if (this != NONE) {
      this.autorun = runs; // per file, on the classifying thread; NONE is shared and knows nothing
    }
  }

  /**
   * How a call (a {@code CALL}, a function call, deferred in a routine, trigger or event body, so
   * not followed by the analyser where it is written) of the routine {@code name} reaches a
   * protected table through what that routine runs, transitively (G4); empty when the routine is
   * not one the migrations define (an opaque call is dynamic-sql's).
   */
  public Optional<String> calls(String name, Predicate<String> fresh) {
    // in a function's or procedure's body only definite writes count here (what it calls is
    // judged again where it is called); a trigger, rule or event runs its body by itself, so
    // there dynamic SQL and unreadable routines fail closed
    if (contract == null || contract.protectedTables().isEmpty() || routines == null) {
      return Optional.empty();
    }
    if (name == null || !routines.knows(name)) {
      return Optional.empty();
    }
    return call(name, false, new Walk(new HashSet<>(), fresh, autorun));
  }

  /**
   * How a call run now ({@code CALL s.p()}, {@code SELECT s.f()}) of a routine qualified with a
   * schema (MariaDB: a database) reaches a protected table through the target's routine of that
   * schema (G4): the migrations' own routine of the same last name is another one, which the
   * analyser follows where the call is written, so it cannot stand in for it. Empty when the call
   * is unqualified, or the migrations define that very routine (schema and name).
   */
  public Optional<String> callsStoredIn(String name, Predicate<String> fresh) {
    if (contract == null || contract.protectedTables().isEmpty() || name == null) {
      return Optional.empty();
    }
    String qualified = unquote(name.toLowerCase(Locale.ROOT));
    if (qualified.indexOf('.') < 0 && routines != null && routines.knows(qualified)) {
      return Optional.empty(); // the analyser followed the migrations' routine where it is called
    }
    if (routines != null) {
      for (Routines.Routine r : routines.find(qualified)) {
        if (unquote(r.name().toLowerCase(Locale.ROOT)).equals(qualified)) {
          return Optional.empty();
        }
      }
    }
    Walk seen = new Walk(new HashSet<>(), fresh, true);
    for (List<Operation> body : stored.apply(qualified)) {
      if (body == null) {
        return unreadable(name);
      }
      Optional<String> how = runs(body, seen);
      if (how.isPresent()) {
        return Optional.of("calls " + name + "() of the target, which " + how.get());
      }
    }
    return Optional.empty();
  }

  private Optional<String> fires(OpKind kind, String table, Walk seen) {
    // VALIDATE CONSTRAINT evaluates the table's CHECKs (a NOT VALID one) for every row
    boolean validate = kind == OpKind.VALIDATE_CONSTRAINT;
    OpKind as = validate ? OpKind.UPDATE : kind;
    List<ExistingTriggers.Trigger> fired = new ArrayList<>();
    for (ExistingTriggers.Trigger t : triggers.fired(as, table)) {
      if (!validate || t.name().startsWith("check constraint")) {
        fired.add(t);
      }
    }
    if (routines != null) {
      for (Routines.TriggerBody t : routines.triggerBodies()) {
        if (ExistingTriggers.fires(as, t.events())
            && sameTable(t.table(), table)
            && (!validate || t.name().startsWith("check constraint"))) {
          fired.add(new ExistingTriggers.Trigger(t.name(), t.table(), t.events(), t.body()));
        }
      }
    }
    Optional<String> how = walkFired(fired, seen);
    if (how.isPresent() || validate) {
      return how;
    }
    return referentialActions(kind, table, seen);
  }

  /**
   * How what PostgreSQL evaluates by itself for a statement that is no write reaches a protected
   * table (G4, attacker 26/06, 26/08, 26/09): a read of a view evaluates its query, of a table its
   * {@code FOR SELECT} policies ({@code event} SELECT); {@code REFRESH MATERIALIZED VIEW} the
   * view's query (REFRESH); REINDEX, ANALYZE, CLUSTER and VACUUM every index and statistics
   * expression of {@code table} (MAINTENANCE; null: of every table, for a statement that names
   * none, a schema, a database or an index).
   */
  public Optional<String> evaluates(String event, String table, Predicate<String> fresh) {
    if (contract == null || contract.protectedTables().isEmpty() || triggers.isEmpty()) {
      return Optional.empty();
    }
    return walkFired(triggers.evaluatedBy(event, table), new Walk(new HashSet<>(), fresh, true));
  }

  private Optional<String> walkFired(List<ExistingTriggers.Trigger> fired, Walk seen) {
    for (ExistingTriggers.Trigger t : fired) {
      if (!seen.add(t.table() + "/" + t.name())) {
        continue;
      }
      // a name with a blank is what the server evaluates by itself for the write: a CHECK, a
      // DEFAULT, an index expression, a policy, a trigger's WHEN condition (see PostgresSupport)
      String head =
          (t.name().indexOf(' ') >= 0 ? "evaluates " : "fires trigger ")
              + t.name()
              + " of "
              + t.table()
              + ", whose body ";
      if (t.body() == null) {
        return Optional.of(
            head
                + "prodguard cannot read (a function in a language other than plpgsql or sql, not"
                + " a known harmless built-in; or an account without the TRIGGER privilege): it"
                + " may write a protected table");
      }
      Optional<String> how = runs(t.body(), seen);
      if (how.isPresent()) {
        return Optional.of(head + how.get());
      }
    }
    return Optional.empty();
  }

  /**
   * How the referential actions a write of {@code table} sets off reach a protected table through
   * the triggers of the child tables they write: {@code ON DELETE CASCADE} deletes child rows,
   * {@code ON DELETE SET NULL/SET DEFAULT} and {@code ON UPDATE CASCADE/SET NULL/SET DEFAULT}
   * update them, and each fires the child's triggers for that event, transitively (PostgreSQL runs
   * the actions as statements of their own; MariaDB fires no triggers for them, where following
   * them only refuses more).
   */
  private Optional<String> referentialActions(OpKind kind, String table, Walk seen) {
    if (keys.isEmpty() || table == null) {
      return Optional.empty();
    }
    for (ForeignKey k : keys) {
      if (!sameTable(k.parentSchema() + "." + k.parent(), table)) {
        continue;
      }
      String child = k.childSchema() + "." + k.child();
      List<Object[]> actions = new ArrayList<>();
      if (kind == OpKind.DELETE || kind == OpKind.MERGE) {
        if (k.onDelete() == ForeignKey.Action.CASCADE) {
          actions.add(new Object[] {OpKind.DELETE, "ON DELETE CASCADE"});
        } else if (k.onDelete().changesChildRows()) {
          actions.add(new Object[] {OpKind.UPDATE, "ON DELETE " + k.onDelete().sql()});
        }
      }
      if ((kind == OpKind.UPDATE || kind == OpKind.MERGE || kind == OpKind.INSERT)
          && k.onUpdate().changesChildRows()) {
        // an INSERT may update (an upsert)
        actions.add(new Object[] {OpKind.UPDATE, "ON UPDATE " + k.onUpdate().sql()});
      }
      for (Object[] a : actions) {
        OpKind childKind = (OpKind) a[0];
        if (!seen.add("fk:" + k.name() + "/" + child + "/" + childKind)) {
          continue;
        }
        Optional<String> deeper = fires(childKind, child, seen);
        if (deeper.isPresent()) {
          return Optional.of(
              "writes "
                  + child
                  + " (foreign key "
                  + k.name()
                  + ", "
                  + a[1]
                  + "), which "
                  + deeper.get());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * How running {@code body} (a trigger's, a rule's or a routine's operations) reaches a protected
   * table: its writes, the triggers and cascades they fire, the routines it calls, on every path (a
   * branch never makes a write not happen); dynamic SQL and unreadable routines fail closed.
   */
  private Optional<String> runs(List<Operation> body, Walk seen) {
    for (Operation op : body) {
      String what = op.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
      if (op.kind() == OpKind.DYNAMIC_SQL && seen.failClosed()) {
        return Optional.of(
            "runs dynamic SQL ("
                + (op.detail() != null ? op.detail() : "statement text built at run time")
                + "), whose statements prodguard cannot know: it may write a protected table");
      }
      if ((op.kind() == OpKind.CALL || op.kind() == OpKind.FUNCTION_CALL) && op.target() != null) {
        Optional<String> called = call(op.target(), op.has(Operation.Flag.OPAQUE), seen);
        if (called.isPresent()) {
          return called;
        }
        continue;
      }
      if (!op.kind().touchesTable() || op.target() == null || seen.fresh().test(op.target())) {
        continue;
      }
      Optional<Contract.ProtectedTable> hit = contract.protectedTable(op.target());
      if (hit.isPresent()) {
        boolean writable =
            op.kind() == OpKind.UPDATE
                && !op.columns().isEmpty()
                && hit.get().writableColumns().containsAll(op.columns());
        if (!writable) {
          return Optional.of("does " + what + " on protected table " + op.target());
        }
        continue;
      }
      Optional<TableParents.Protected> up = protectedParent(op.target());
      if (up.isPresent()) {
        return Optional.of(
            "does "
                + what
                + " on "
                + op.target()
                + ", "
                + up.get().relation()
                + " of protected table "
                + up.get().parent());
      }
      Optional<String> deeper =
          reach(op.kind(), op.target()).or(() -> fires(op.kind(), op.target(), seen));
      if (deeper.isPresent()) {
        return Optional.of("does " + what + " on " + op.target() + ", which " + deeper.get());
      }
    }
    return Optional.empty();
  }

  /**
   * How calling {@code name} reaches a protected table: every body the migrations define for that
   * name is followed; a routine they do not define is one prodguard cannot read when {@code opaque}
   * (not a built-in), which fails closed.
   */
  private Optional<String> call(String name, boolean opaque, Walk seen) {
    String key = unquote(name.toLowerCase(Locale.ROOT));
    key = key.substring(key.lastIndexOf('.') + 1);
    if (!seen.add("routine:" + key)) {
      return Optional.empty(); // being followed already (recursion), or followed before
    }
    List<Routines.Routine> bodies = routines == null ? List.of() : routines.find(name);
    List<List<Operation>> existing = stored.apply(key);
    if (bodies.isEmpty() && existing.isEmpty()) {
      return opaque && seen.failClosed()
          ? Optional.of(
              "calls "
                  + name
                  + "(), whose body is neither among the analysed migrations nor on the target:"
                  + " prodguard cannot read it, and it may write a protected table")
          : Optional.empty();
    }
    for (Routines.Routine r : bodies) {
      Optional<String> how = runs(r.body(), seen);
      if (how.isPresent()) {
        return Optional.of("calls " + r.name() + "(), which " + how.get());
      }
    }
    for (List<Operation> body : existing) {
      if (body == null) {
        if (!seen.failClosed()) {
          continue;
        }
        return unreadable(name);
      }
      Optional<String> how = runs(body, seen);
      if (how.isPresent()) {
        return Optional.of("calls " + name + "(), which " + how.get());
      }
    }
    return Optional.empty();
  }

  /**
   * One walk through triggers and routines: what was followed already, and the tables created
   * earlier in the same migration, whose writes do not count.
   */
  private record Walk(Set<String> followed, Predicate<String> fresh, boolean failClosed) {
    boolean add(String key) {
      return followed.add(key);
    }
  }

  /** A routine of the target whose body cannot be read: it fails closed. */
  private static Optional<String> unreadable(String name) {
    return Optional.of(
        "calls "
            + name
            + "(), whose body on the target prodguard cannot read (another language, or an"
            + " account that may not see it): it may write a protected table");
  }

  /** The same table: qualified names must agree; an unqualified one matches any schema. */
  private static boolean sameTable(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    String x = unquote(a.toLowerCase(Locale.ROOT));
    String y = unquote(b.toLowerCase(Locale.ROOT));
    if (x.indexOf('.') >= 0 && y.indexOf('.') >= 0) {
      return x.equals(y);
    }
    return x.substring(x.lastIndexOf('.') + 1).equals(y.substring(y.lastIndexOf('.') + 1));
  }

  /**
   * The protected table {@code table} is a partition or inheritance child of (at any depth), if it
   * is one: its rows are that table's rows (G4).
   */
  public Optional<TableParents.Protected> protectedParent(String table) {
    return parents.protectedAncestor(table, contract);
  }

  /** See {@link TableParents#shadow}. */
  public Optional<String> shadow(dev.prodguard.sql.Operation op) {
    return parents.shadow(op, contract);
  }

  /** In the contract's protected-tables, or a partition or child of one. */
  private boolean isProtected(String table) {
    return contract.protectedTable(table).isPresent() || protectedParent(table).isPresent();
  }

  public static Cascades of(List<ForeignKey> keys, Contract contract) {
    return of(keys, List.of(), contract);
  }

  /**
   * @param dependencies objects tables depend on (trigger functions, column types and domains,
   *     sequences); those of protected tables count as part of them
   */
  public static Cascades of(
      List<ForeignKey> keys, List<TableDependency> dependencies, Contract contract) {
    return keys.isEmpty() && dependencies.isEmpty()
        ? NONE
        : new Cascades(keys, dependencies, contract);
  }

  /**
   * How changing or dropping the object {@code target} (a function, type, domain or sequence;
   * {@code detail} the classifier's object kind words, may be null) changes a protected table's
   * rows: "replaces trigger function public.orders_touch of protected table public.orders".
   */
  public Optional<String> dependent(OpKind kind, String detail, String target) {
    if (dependencies.isEmpty() || target == null) {
      return Optional.empty();
    }
    boolean function =
        kind == OpKind.CREATE_FUNCTION
            || kind == OpKind.ALTER_FUNCTION
            || kind == OpKind.DROP_FUNCTION;
    boolean other = kind == OpKind.ALTER_OTHER || kind == OpKind.DROP_OTHER;
    if (!function && !other) {
      return Optional.empty();
    }
    String d = detail == null ? "" : detail.toUpperCase(Locale.ROOT);
    if (function && !d.isEmpty() && !d.contains("FUNCTION")) {
      return Optional.empty(); // a procedure or an event is no trigger function
    }
    String t = unquote(target.toLowerCase(Locale.ROOT));
    int dot = t.lastIndexOf('.');
    String bare = dot < 0 ? t : t.substring(dot + 1);
    for (TableDependency dep : dependencies) {
      boolean kindMatches =
          function
              ? dep.kind().equals("FUNCTION")
              : !dep.kind().equals("FUNCTION") && (d.isEmpty() || d.contains(dep.kind()));
      boolean nameMatches =
          dep.name().equals(bare) && (dot < 0 || t.equals(dep.schema() + "." + dep.name()));
      String table = dep.tableSchema() + "." + dep.table();
      if (kindMatches && nameMatches && isProtected(table)) {
        return Optional.of(
            "changes "
                + (dep.kind().equals("FUNCTION")
                    ? "trigger function "
                    : dep.kind().toLowerCase(Locale.ROOT) + " ")
                + dep.schema()
                + "."
                + dep.name()
                + " of protected table "
                + table
                + " (what happens to its rows changes without naming it)");
      }
    }
    return Optional.empty();
  }

  /**
   * How an operation of {@code kind} on {@code table} reaches a protected table ("cascades into
   * protected table public.orders (foreign key orders_customer_fk ON DELETE CASCADE)"), if it does.
   */
  public Optional<String> reach(OpKind kind, String table) {
    if (keys.isEmpty() || table == null) {
      return Optional.empty();
    }
    return switch (kind) {
      case DELETE -> find(deletes(), table);
      case UPDATE -> find(updates(), table);
      case MERGE -> find(deletes(), table).or(() -> find(updates(), table));
      case TRUNCATE -> find(truncates(), table);
      default -> Optional.empty();
    };
  }

  private Map<String, String> deletes() {
    if (onDelete == null) {
      onDelete =
          closure(k -> k.onDelete().changesChildRows(), k -> "ON DELETE " + k.onDelete().sql());
    }
    return onDelete;
  }

  private Map<String, String> updates() {
    if (onUpdate == null) {
      onUpdate =
          closure(k -> k.onUpdate().changesChildRows(), k -> "ON UPDATE " + k.onUpdate().sql());
    }
    return onUpdate;
  }

  private Map<String, String> truncates() {
    if (onTruncate == null) {
      onTruncate = closure(k -> true, k -> "TRUNCATE ... CASCADE");
    }
    return onTruncate;
  }

  /**
   * Parent tables (schema.table) whose rows reach a protected table through keys that {@code
   * follows}, with the path's description; transitive (a parent of a parent counts).
   */
  private Map<String, String> closure(
      Predicate<ForeignKey> follows, java.util.function.Function<ForeignKey, String> how) {
    Map<String, String> reached = new LinkedHashMap<>();
    Deque<String> todo = new ArrayDeque<>();
    for (ForeignKey k : keys) {
      String child = k.childSchema() + "." + k.child();
      if (isProtected(child) && !reached.containsKey(child)) {
        reached.put(child, "protected table " + child);
        todo.add(child);
      }
    }
    while (!todo.isEmpty()) {
      String child = todo.poll();
      for (ForeignKey k : keys) {
        String c = k.childSchema() + "." + k.child();
        String p = k.parentSchema() + "." + k.parent();
        if (c.equals(child) && follows.test(k) && !reached.containsKey(p)) {
          reached.put(
              p,
              "cascades into "
                  + reached.get(child).replaceFirst("^cascades into ", "")
                  + " (foreign key "
                  + k.name()
                  + " of "
                  + c
                  + ", "
                  + how.apply(k)
                  + ")");
          todo.add(p);
        }
      }
    }
    // the protected tables themselves are judged by the contract, not here
    reached.entrySet().removeIf(e -> !e.getValue().startsWith("cascades into "));
    return reached;
  }

  /** An unqualified name matches the table in any schema (the search path decides: fail closed). */
  private static Optional<String> find(Map<String, String> reached, String table) {
    String t = unquote(table.toLowerCase(Locale.ROOT));
    String hit = reached.get(t);
    if (hit != null) {
      return Optional.of(hit);
    }
    if (t.indexOf('.') < 0) {
      for (Map.Entry<String, String> e : reached.entrySet()) {
        if (e.getKey().substring(e.getKey().lastIndexOf('.') + 1).equals(t)) {
          return Optional.of(e.getValue());
        }
      }
    }
    return Optional.empty();
  }

  private static String unquote(String name) {
    return name.replace("\"", "").replace("`", "");
  }
}
