package dev.prodguard.trace;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Location;
import dev.prodguard.findings.Severity;
import dev.prodguard.sql.SqlCode;
import dev.prodguard.sql.SqlSyntax;
import dev.prodguard.support.StatementProbe;
import dev.prodguard.support.StatementProbe.NamedRelation;
import dev.prodguard.support.StatementProbe.Relation;
import dev.prodguard.support.StatementProbe.State;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Code whose effects depend on what the copy does not hold as the target (G4, fail closed;
 * docs/trace.md, "Code that branches on data"). The copy holds no rows, runs on another server, in
 * another session and database: code that decides what it does by what it reads (a {@code DO}
 * block's {@code IF EXISTS (SELECT 1 FROM orders)}, {@code IF pg_relation_size('orders') > 0},
 * {@code IF current_user = ...}), and a statement that runs a routine once per row it reads ({@code
 * SELECT touch_orders() FROM settings}), does on the copy what the deploy may not do. Such a
 * statement is reported {@code trace-incomplete}, naming what it read, instead of presenting what
 * the empty copy did as the fact.
 *
 * <p>What counts: the statement is a {@code DO} block, or any statement that calls a user routine
 * of the copy (by name, the routines it calls followed); the code (the block, the routines' bodies)
 * can change something ({@link #CHANGE}: a guard that can only raise, or code that only reads, does
 * the same on any data); and either it branches ({@code IF}, {@code CASE}, a loop, {@code
 * EXIT}/{@code CONTINUE}, an exception handler, dynamic {@code EXECUTE}) or it runs a routine that
 * can change something per row of what a piece reads ({@link BranchCode#perRowCalls}: anything but
 * a single call {@code SELECT f()}). Straight-line code run once does the same on any data.
 *
 * <p>Then everything the code reads must be shown faithful ({@link BranchCode}): a table of the
 * target is faithful only when it holds no rows there (judged against its size, {@link
 * #incomplete}); a catalog relation only when {@link #FAITHFUL_CATALOG} holds it; a function only
 * when it is a user routine (followed) or {@link BranchCode#FAITHFUL_FUNCTIONS} holds it; names are
 * resolved by the server ({@link StatementProbe#relationsNamed}). The server's scan counts are not
 * used: a schema change in a branch scans the table it validates or rewrites, which is what the
 * branch does, not what it reads.
 *
 * <p>A table a pending migration created and filled from what the copy does not hold as the target
 * ({@link PendingFills}) is read as the tables it was filled from (judged by their rows on the
 * target) or as unknown. A statement that reaches a routine that can change something per row
 * without naming it (an operator, a cast, a row trigger, a column default: {@link Implicit}) is
 * judged as one that calls it per row by name.
 */
final class DataBranches {
  /** A branch in PL/pgSQL (or SQL's CASE): what makes the code's effects depend on the data. */
  private static final Pattern BRANCH =
      Pattern.compile(
          "\\b(IF|CASE|LOOP|WHILE|FOR|FOREACH|EXIT|CONTINUE|EXCEPTION|EXECUTE)\\b",
          Pattern.CASE_INSENSITIVE);

  /**
   * What changes something when a branch runs it: DDL, DML, dynamic SQL, a session or sequence
   * change, a call, a server function. Code that branches without any of these can only raise or
   * not (a guard: {@code IF EXISTS (...) THEN RAISE EXCEPTION ...}): what it does to the schema and
   * the rows does not depend on the data, and the statements after it are replayed as the deploy
   * runs them when it does not raise.
   */
  private static final Pattern CHANGE =
      Pattern.compile(
          "\\b(ALTER|CREATE|DROP|INSERT|UPDATE|DELETE|TRUNCATE|MERGE|COPY|GRANT|REVOKE|REINDEX"
              + "|CLUSTER|VACUUM|ANALYZE|LOCK|CALL|COMMENT|REFRESH|EXECUTE|SET|RESET|IMPORT|SECURITY"
              + "|NOTIFY|DISCARD|SETVAL|NEXTVAL|SET_CONFIG|DBLINK\\w*)\\b",
          Pattern.CASE_INSENSITIVE);

  /** An exception handler: the block it protects runs in a subtransaction, rolled back on error. */
  private static final Pattern HANDLER =
      Pattern.compile("\\bEXCEPTION\\s+WHEN\\b", Pattern.CASE_INSENSITIVE);

  /** A name followed by an opening parenthesis: a call, perhaps of a user routine. */
  private static final Pattern CALL =
      Pattern.compile("\"?([A-Za-z_][A-Za-z0-9_$]*)\"?\\s*\\(", Pattern.CASE_INSENSITIVE);

  /**
   * A call of a server function of the {@code pg_} or {@code lo_} families (any of them may act:
   * {@code pg_terminate_backend}, {@code pg_advisory_lock}, {@code lo_unlink}, ...); a catalog's
   * name ({@code pg_constraint}) is no call.
   */
  private static final Pattern SERVER_CALL =
      Pattern.compile("\\b(PG|LO)_\\w+\\s*\\(", Pattern.CASE_INSENSITIVE);

  /** Dynamic SQL: its strings are code too. */
  private static final Pattern DYNAMIC = Pattern.compile("\\bEXECUTE\\b", Pattern.CASE_INSENSITIVE);

  /**
   * The catalog relations whose rows the copy holds as the target does: the schema's objects by
   * name, type, kind and definition (pg_dump copies them all). An allow-list: any other catalog
   * relation or view (statistics, sizes, sessions, settings, roles, extensions, event triggers,
   * dependencies) counts as not faithful. Their columns that are not ({@code reltuples}, owners,
   * ...) are {@link BranchCode#UNFAITHFUL_COLUMNS}.
   */
  static final Set<String> FAITHFUL_CATALOG =
      Set.of(
          "pg_catalog.pg_class",
          "pg_catalog.pg_namespace",
          "pg_catalog.pg_attribute",
          "pg_catalog.pg_attrdef",
          "pg_catalog.pg_constraint",
          "pg_catalog.pg_index",
          "pg_catalog.pg_type",
          "pg_catalog.pg_enum",
          "pg_catalog.pg_proc",
          "pg_catalog.pg_trigger",
          "pg_catalog.pg_inherits",
          "pg_catalog.pg_description",
          "pg_catalog.pg_sequence",
          "pg_catalog.pg_collation",
          "pg_catalog.pg_opclass",
          "pg_catalog.pg_am",
          "pg_catalog.pg_rewrite",
          "pg_catalog.pg_policy",
          "pg_catalog.pg_partitioned_table",
          "pg_catalog.pg_range",
          "pg_catalog.pg_tables",
          "pg_catalog.pg_views",
          "pg_catalog.pg_indexes",
          "pg_catalog.pg_matviews",
          "pg_catalog.pg_policies",
          "information_schema.tables",
          "information_schema.columns",
          "information_schema.table_constraints",
          "information_schema.key_column_usage",
          "information_schema.constraint_column_usage",
          "information_schema.constraint_table_usage",
          "information_schema.referential_constraints",
          "information_schema.check_constraints",
          "information_schema.schemata",
          "information_schema.views",
          "information_schema.routines",
          "information_schema.sequences",
          "information_schema.triggers",
          "information_schema.domains",
          "information_schema.domain_constraints",
          "information_schema.element_types",
          "information_schema.parameters");

  private DataBranches() {}

  /**
   * {@code t}, the trace of {@code sql}, with what its code reads that may decide what it does and
   * that the copy does not hold as the target: the tables whose rows it read ({@link
   * StatementTrace#proceduralReads}, judged by their rows on the target later) and what is never
   * faithful ({@link StatementTrace#unknownBranches}); {@code t} itself when its effects do not
   * depend on such reads. {@code copied}: the target's name of each relation of the copy, by oid.
   */
  static StatementTrace observe(
      StatementProbe probe,
      Connection c,
      String sql,
      StatementTrace t,
      State before,
      State after,
      Map<Long, String> copied,
      PendingFills fills,
      Map<String, NamedRelation> resolvedBefore)
      throws SQLException {
    boolean block = "DO".equals(SqlCode.firstWord(sql, SqlSyntax.POSTGRESQL));
    String top = block ? BranchCode.doBody(sql) : sql;
    Implicit implicit = Implicit.of(probe, c, sql, before, after);
    if (!block && !mayCall(top) && implicit.via.isEmpty()) {
      return t; // calls no function: no procedural code of the user's runs
    }
    Map<String, String> routines =
        implicit.routines != null ? implicit.routines : probe.routineBodies(c);
    Map<String, String> bodies = followed(top, routines);
    if (!block && bodies.isEmpty() && implicit.via.isEmpty()) {
      return t; // a statement that calls no user routine runs no procedural code of the user's
    }
    // a routine whose body reads as no text (one prodguard cannot read) may do anything: fail
    // closed rather than take it for code that changes nothing (attacker 20, finding 02)
    Set<String> unreadable = new LinkedHashSet<>();
    bodies.forEach(
        (name, body) -> {
          if (body.isBlank()) {
            unreadable.add(name);
          }
        });
    String code = (block ? top : "") + "\n" + String.join("\n", bodies.values());
    if (!changes(code) && implicit.via.isEmpty() && unreadable.isEmpty()) {
      return t; // a guard that can only raise, or code that only reads: the same on any data
    }
    boolean dynamic = DYNAMIC.matcher(code).find();
    Set<String> userRoutines = routines.keySet();
    List<BranchCode> codes = new ArrayList<>();
    codes.add(BranchCode.of(top, dynamic, userRoutines));
    bodies.values().forEach(b -> codes.add(BranchCode.of(b, dynamic, userRoutines)));
    Set<String> changing = changing(bodies, routines);
    boolean perRow = false;
    boolean named = false; // per row by a routine the code calls by name
    Set<String> unknown = new LinkedHashSet<>();
    Set<String> relations = new LinkedHashSet<>();
    Set<String> calls = new LinkedHashSet<>();
    for (BranchCode b : codes) {
      for (String f : b.perRowCalls) {
        named |= changing.contains(f);
      }
      for (String f : b.actionCalls) {
        if (changing.contains(f)) {
          named = true;
          unknown.add(
              f
                  + "(), which can change the schema or data, called per row of a table a schema"
                  + " change rewrites, validates or indexes (the copy holds no row)");
        }
      }
      for (String f : b.dynamicPerRowCalls) {
        if (changing.contains(f)) {
          named = true;
          unknown.add(f + "(), which can change the schema or data, called per row in dynamic SQL");
        }
      }
      unknown.addAll(b.unknown);
      relations.addAll(b.relations);
      calls.addAll(b.calls);
    }
    for (String f : unreadable) {
      unknown.add(
          f
              + "(), whose body prodguard cannot read as text (so not what it does, nor whether it"
              + " branches)");
    }
    boolean branches = BRANCH.matcher(code).find() || !unreadable.isEmpty();
    perRow = named || !implicit.via.isEmpty();
    if (!branches && !perRow) {
      return t; // straight-line code run once: it does the same on any data
    }
    relations.addAll(implicit.rowsOf);
    // only routines reached unnamed run per row: what matters is how many rows, not the values the
    // statement computes (the session, the clock); and when they are only row triggers, the rows of
    // the table they are on are trace-row-triggers-not-traced's (ReplayFacts), the rows it is fed
    // from are judged here
    boolean rowsOnly = !branches && !named;
    if (rowsOnly) {
      unknown.clear();
    }
    Set<String> skip = new LinkedHashSet<>();
    if (rowsOnly) {
      skip.addAll(implicit.inserted);
      if (implicit.onlyTriggers) {
        skip.addAll(implicit.triggerTables);
      }
    }
    String perRowVia = implicit.via.isEmpty() ? "" : PER_ROW + String.join("; ", implicit.via);
    Set<String> unknownCalls = new LinkedHashSet<>();
    for (String f : calls) {
      if (!routines.containsKey(f) && !BranchCode.FAITHFUL_FUNCTIONS.contains(f)) {
        unknownCalls.add(f);
      }
    }
    Set<String> ask = new LinkedHashSet<>(relations);
    ask.addAll(unknownCalls);
    Map<String, NamedRelation> resolved = new HashMap<>();
    for (NamedRelation r : probe.relationsNamed(c, ask)) {
      resolved.put(r.name(), r);
    }
    // a name is read as the statement saw it when it started (attacker 20, finding 06): one the
    // statement itself dropped, renamed, moved or hid (SET search_path) resolves otherwise, or not
    // at all, after it; both relations count as read
    Map<String, NamedRelation> resolvedFirst = new HashMap<>();
    for (String name : ask) {
      NamedRelation r = resolvedBefore.get(name);
      if (r != null) {
        resolvedFirst.put(name, r);
      }
    }
    for (String f : unknownCalls) {
      if (resolved.containsKey(f) || resolvedFirst.containsKey(f)) {
        relations.add(f); // a relation with a column list: INSERT INTO t (a, b)
      } else if (!rowsOnly) {
        unknown.add(f + "(), whose answer on the copy is not known to be the target's");
      }
    }
    Set<Long> read = new LinkedHashSet<>();
    List<NamedRelation> reads = new ArrayList<>();
    for (String name : relations) {
      NamedRelation first = resolvedFirst.get(name);
      NamedRelation now = resolved.get(name);
      if (first != null) {
        reads.add(first);
      }
      if (now != null && (first == null || first.oid() != now.oid())) {
        reads.add(now);
      }
      // neither: no relation (a column, a variable, a common table expression)
    }
    for (NamedRelation r : reads) {
      boolean catalog = "pg_catalog".equals(r.schema()) || "information_schema".equals(r.schema());
      if (catalog) {
        if (!FAITHFUL_CATALOG.contains(r.schema() + "." + r.relation())) {
          unknown.add(
              r.schema()
                  + "."
                  + r.relation()
                  + " (it describes the copy's server, sessions, statistics or settings, or"
                  + " holds what the copy does not copy)");
        }
      } else if (after.relations().containsKey(r.oid())
          || before.relations().containsKey(r.oid())) {
        read.add(r.oid()); // before only: the statement dropped it
      } else if ("rpm".indexOf(r.kind()) < 0) {
        unknown.add(
            r.schema()
                + "."
                + r.relation()
                + " (a view, sequence or foreign table: what it reads, the copy does not hold)");
      }
    }
    List<String> names = new ArrayList<>();
    Map<String, String> onTarget = new HashMap<>();
    for (long oid : read) {
      Relation r = after.relations().getOrDefault(oid, before.relations().get(oid));
      if (r == null || r.isIndex()) {
        continue;
      }
      if (skip.contains(r.name())) {
        continue;
      }
      String original = copied.get(oid);
      if (original != null) {
        names.add(r.name() + perRowVia);
        onTarget.put(r.name() + perRowVia, original);
        continue;
      }
      PendingFills.Fill fill = fills.of(oid);
      if (fill == null) {
        names.add(r.name()); // created empty by a pending migration and never filled: as copied
        continue;
      }
      for (String source : fill.fromTarget()) {
        // judged by the rows of the table it was filled from (incomplete, against its size)
        String key = r.name() + FILLED_FROM + source;
        names.add(key);
        onTarget.put(key, source);
      }
      for (String u : fill.unknown()) {
        unknown.add("the rows of " + r.name() + ", which a pending migration filled from " + u);
      }
    }
    if (names.isEmpty() && unknown.isEmpty()) {
      return t;
    }
    names.sort(null);
    return t.withProceduralReads(names, onTarget, List.copyOf(unknown));
  }

  /**
   * Whether {@code code} may call a user routine: a name followed by a parenthesis that is no word
   * PostgreSQL reserves ({@link BranchCode#anyCalls}, {@link BranchCode#maybeCalls}).
   */
  private static boolean mayCall(String code) {
    BranchCode b = BranchCode.of(code, false);
    return !b.anyCalls.isEmpty() || !b.maybeCalls.isEmpty();
  }

  /** The bodies of the user routines {@code top} calls, and of those they call, by name. */
  private static Map<String, String> followed(String top, Map<String, String> routines) {
    Set<String> names = routines.keySet();
    Map<String, String> bodies = new LinkedHashMap<>();
    List<String> todo = new ArrayList<>(BranchCode.of(top, false, names).anyCalls);
    while (!todo.isEmpty()) {
      String name = todo.remove(todo.size() - 1);
      String body = routines.get(name);
      if (body != null && !bodies.containsKey(name)) {
        bodies.put(name, body);
        todo.addAll(BranchCode.of(body, false, names).anyCalls);
      }
    }
    return bodies;
  }

  /**
   * The relations the code of {@code sql} (a {@code DO} block, or a statement that calls user
   * routines, their bodies followed) names, resolved in {@code c}'s session <em>before</em> {@code
   * sql} runs, by name: what the statement reads as it sees it when it starts. {@link #observe}
   * resolves the same names again after it, when the statement may have dropped, renamed or moved
   * what it read, or changed the session's search path (attacker 20, finding 06). Empty when the
   * statement runs no procedural code of the user's.
   */
  static Map<String, NamedRelation> namesBefore(StatementProbe probe, Connection c, String sql)
      throws SQLException {
    boolean block = "DO".equals(SqlCode.firstWord(sql, SqlSyntax.POSTGRESQL));
    String top = block ? BranchCode.doBody(sql) : sql;
    if (!block && !mayCall(top)) {
      return Map.of();
    }
    Map<String, String> routines = probe.routineBodies(c);
    Map<String, String> bodies = followed(top, routines);
    if (!block && bodies.isEmpty()) {
      return Map.of();
    }
    String code = (block ? top : "") + "\n" + String.join("\n", bodies.values());
    boolean dynamic = DYNAMIC.matcher(code).find();
    Set<String> ask = new LinkedHashSet<>();
    List<String> texts = new ArrayList<>(List.of(top));
    texts.addAll(bodies.values());
    for (String text : texts) {
      BranchCode b = BranchCode.of(text, dynamic, routines.keySet());
      ask.addAll(b.relations);
      ask.addAll(b.calls);
    }
    Map<String, NamedRelation> out = new HashMap<>();
    for (NamedRelation r : probe.relationsNamed(c, ask)) {
      out.put(r.name(), r);
    }
    return out;
  }

  /** Statements that may run a routine per row without naming it: they read or write rows. */
  private static final Set<String> ROW_STATEMENTS =
      Set.of(
          "INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "COPY", "SELECT", "VALUES", "TABLE",
          "EXPLAIN", "CALL", "DO", "REFRESH");

  /** A schema change that evaluates expressions per row of a table, or a query that fills one. */
  private static final Pattern ROW_DDL =
      Pattern.compile(
          "^\\s*(?:ALTER\\s+TABLE\\b|CREATE\\s+(?:UNIQUE\\s+)?INDEX\\b|CREATE\\b.*\\bAS\\s*\\(?\\s*"
              + "(?:SELECT|TABLE|VALUES|WITH)\\b)",
          Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  /** The table a schema change works on per row: after {@code ALTER TABLE}, or {@code ON}. */
  private static final Pattern ROW_DDL_TABLE =
      Pattern.compile(
          "\\b(?:TABLE(?:\\s+IF\\s+EXISTS)?|ON)(?:\\s+ONLY)?\\s+"
              + "((?:\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*)(?:\\s*\\.\\s*(?:\"[^\"]+\"|[A-Za-z_][A-Za-z0-9_$]*))?)",
          Pattern.CASE_INSENSITIVE);

  /**
   * The user routines that can change something and that a statement runs per row without calling
   * them by name (attacker 10): through an operator it uses, a cast (to a type it names, or any
   * implicit or assignment cast), a row trigger of a table it writes, or the default or generated
   * expression of a column of such a table ({@link StatementProbe#perRowRoutines}). The copy holds
   * no rows, so it runs them for none of the target's: fail closed, such a statement is judged like
   * one that calls the routine per row by name.
   */
  private static final class Implicit {
    /**
     * Phrases naming each path and routine reached, e.g. {@code row trigger t on public.x (...)}.
     */
    final List<String> via = new ArrayList<>();

    /** Tables whose row triggers were reached. */
    final Set<String> triggerTables = new LinkedHashSet<>();

    /** Tables a schema change works on per row ({@code ALTER TABLE t}, {@code ON t}). */
    final Set<String> rowsOf = new LinkedHashSet<>();

    /** The tables an {@code INSERT} writes: their own rows are not what it runs per row of. */
    final Set<String> inserted = new LinkedHashSet<>();

    /** Every path reached is a row trigger. */
    boolean onlyTriggers = true;

    /** The routine bodies, when they were read. */
    Map<String, String> routines;

    /**
     * The tables (as {@link State} names them) {@code sql} itself writes: ROW EXCLUSIVE it took, or
     * a table it names where rows are written ({@link PendingFills#WRITTEN}). Not a table written
     * earlier in the transaction whose ROW EXCLUSIVE it merely holds.
     */
    private static Set<String> writtenBy(
        StatementProbe probe, Connection c, String sql, State before, State after)
        throws SQLException {
      Set<String> had = new java.util.HashSet<>();
      before.locks().stream()
          .filter(l -> l.mode().equals("RowExclusiveLock"))
          .forEach(l -> had.add(l.relation()));
      Set<String> out = new LinkedHashSet<>();
      for (StatementProbe.Lock l : after.locks()) {
        if (l.mode().equals("RowExclusiveLock") && !had.contains(l.relation())) {
          out.add(l.relation());
        }
      }
      Set<String> names = new LinkedHashSet<>();
      Matcher m = PendingFills.WRITTEN.matcher(sql);
      while (m.find()) {
        names.add(m.group(1).replaceAll("\\s+", ""));
      }
      for (NamedRelation r : probe.relationsNamed(c, names)) {
        if ("rp".indexOf(r.kind()) >= 0) {
          out.add(PendingFills.qualified(r));
        }
      }
      return out;
    }

    static Implicit of(StatementProbe probe, Connection c, String sql, State before, State after)
        throws SQLException {
      Implicit out = new Implicit();
      String first = SqlCode.firstWord(sql, SqlSyntax.POSTGRESQL);
      int start = SqlCode.codeStart(sql, SqlSyntax.POSTGRESQL);
      boolean ddl = ROW_DDL.matcher(start < sql.length() ? sql.substring(start) : sql).find();
      if (!ROW_STATEMENTS.contains(first) && !ddl) {
        return out;
      }
      Set<String> written = writtenBy(probe, c, sql, before, after);
      List<StatementProbe.PerRowRoutine> all = probe.perRowRoutines(c, written);
      if (all.isEmpty()) {
        return out;
      }
      String lower = sql.toLowerCase(Locale.ROOT);
      List<StatementProbe.PerRowRoutine> reached = new ArrayList<>();
      for (StatementProbe.PerRowRoutine r : all) {
        boolean hit =
            switch (r.path()) {
              case "operator" -> sql.contains(r.key());
              case "cast" -> {
                int space = r.key().lastIndexOf(' ');
                String type = r.key().substring(0, space);
                String bare = type.substring(type.lastIndexOf('.') + 1).replace("\"", "");
                yield !r.key().endsWith(" e")
                    || Pattern.compile("\\b" + Pattern.quote(bare.toLowerCase(Locale.ROOT)) + "\\b")
                        .matcher(lower)
                        .find();
              }
              default -> true; // trigger, default: of a table the statement wrote
            };
        if (hit) {
          reached.add(r);
        }
      }
      if (reached.isEmpty()) {
        return out;
      }
      out.routines = probe.routineBodies(c);
      for (StatementProbe.PerRowRoutine r : reached) {
        String body = out.routines.get(r.routine());
        if (body == null
            || !changing(Map.of(r.routine(), body), out.routines).contains(r.routine())) {
          continue; // reads, or computes a value: the same on any data
        }
        out.via.add(r.what() + ", which can change the schema or data");
        if ("trigger".equals(r.path())) {
          out.triggerTables.add(r.key());
        } else {
          out.onlyTriggers = false;
        }
      }
      if ("INSERT".equals(first)) {
        out.inserted.addAll(
            written); // a default or trigger runs per row inserted, not per row held
      }
      if (!out.via.isEmpty() && ddl) {
        Matcher m = ROW_DDL_TABLE.matcher(sql);
        if (m.find()) {
          out.rowsOf.add(m.group(1).replaceAll("\\s+", ""));
        }
      }
      return out;
    }
  }

  /** Whether {@code code} holds something a branch may change ({@link #CHANGE}). */
  private static boolean changes(String code) {
    return CHANGE.matcher(code).find() || SERVER_CALL.matcher(code).find();
  }

  /** The routines of {@code bodies} that can change something, their calls followed. */
  private static Set<String> changing(Map<String, String> bodies, Map<String, String> routines) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : bodies.keySet()) {
      Set<String> seen = new LinkedHashSet<>();
      List<String> todo = new ArrayList<>(List.of(name));
      while (!todo.isEmpty()) {
        String n = todo.remove(todo.size() - 1);
        String body = routines.get(n);
        if (body == null || !seen.add(n)) {
          continue;
        }
        if (changes(body)) {
          out.add(name);
          break;
        }
        todo.addAll(BranchCode.of(body, false, routines.keySet()).anyCalls);
      }
    }
    return out;
  }

  /**
   * Why the locks of {@code sql} are not known, or empty: a {@code DO} block, or a routine a {@code
   * SELECT} or {@code CALL} runs (routines it calls followed), with an exception handler ({@code
   * BEGIN ... EXCEPTION WHEN ... END}) and something that takes locks ({@link #CHANGE}), that names
   * a table of the target or runs dynamic SQL. When the handler runs, PostgreSQL rolls the block it
   * protects back and releases every lock taken in it before the statement ends, so the session's
   * locks read after it do not show them; on the copy the block may fail where it does not on the
   * target, or the other way round. Fail closed: the trace stops there as incomplete.
   */
  static java.util.Optional<String> lockHidingHandler(
      StatementProbe probe, Connection c, String sql, State before, Map<Long, String> copied)
      throws SQLException {
    String first = SqlCode.firstWord(sql, SqlSyntax.POSTGRESQL);
    boolean block = "DO".equals(first);
    if (!block && !"CALL".equals(first) && !"SELECT".equals(first)) {
      return java.util.Optional.empty();
    }
    StringBuilder code = new StringBuilder(block ? sql : "");
    code.append('\n').append(calledBodies(probe, c, sql));
    if (!HANDLER.matcher(code).find() || !CHANGE.matcher(code).find()) {
      return java.util.Optional.empty();
    }
    List<String> names = new ArrayList<>();
    for (long oid : named(code.toString(), before)) {
      if (copied.containsKey(oid)) {
        names.add(before.relations().get(oid).name());
      }
    }
    names.sort(null);
    boolean dynamic = DYNAMIC.matcher(code).find();
    if (names.isEmpty() && !dynamic) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "runs procedural code with an exception handler (BEGIN ... EXCEPTION WHEN ... END) that"
            + (names.isEmpty()
                ? " runs dynamic SQL"
                : " names " + String.join(", ", names) + (dynamic ? " and runs dynamic SQL" : ""))
            + ": when the handler runs, PostgreSQL rolls the protected block back and releases the"
            + " locks taken in it before the trace can read them, so the locks this statement"
            + " takes on the target are not known, nor what the statements after it do (fail"
            + " closed); write it as plain statements (IF NOT EXISTS / IF EXISTS instead of a"
            + " handler that swallows the error)");
  }

  /**
   * {@code trace-incomplete} for each statement whose branching code read a table that holds rows
   * on the target (or whose rows are unknown), naming the table: the branch the deploy takes was
   * not replayed.
   */
  static List<Finding> incomplete(
      List<StatementTrace> traces, Map<String, StatementProbe.Size> sizes) {
    List<Finding> out = new ArrayList<>();
    for (StatementTrace t : traces) {
      List<String> why = new ArrayList<>();
      for (String table : t.proceduralReads()) {
        String target = t.onTarget().get(table);
        StatementProbe.Size size = target == null ? null : sizes.get(target);
        if (size == null || size.rows() == 0) {
          continue; // created by a pending migration, or empty on the target as on the copy
        }
        String holds =
            (size.rows() < 0 ? "rows" : TraceFindings.rows(size.rows()) + " rows")
                + " on the target";
        why.add(
            table.contains(FILLED_FROM) || table.contains(PER_ROW)
                ? "the rows of " + table + " (empty in the trace's copy, " + holds + ")"
                : "the rows of "
                    + (target.equals(table) ? table : table + " (" + target + " on the target)")
                    + ", which is empty in the trace's copy but holds "
                    + holds);
      }
      why.addAll(t.unknownBranches());
      if (why.isEmpty()) {
        continue;
      }
      out.add(
          new Finding(
              TraceFindings.INCOMPLETE,
              Severity.ERROR,
              new Location(t.file(), t.line(), 1),
              TraceFindings.id(t.migration()),
              t.migration()
                  + " line "
                  + t.line()
                  + " runs code that can change the schema or data, and what it does (the branch"
                  + " it takes, how often a routine runs) depends on "
                  + String.join("; ", why)
                  + ": the trace's copy (empty, schema only, on another server, in another"
                  + " session and database) does not answer it as the target will, so the branch"
                  + " the deploy takes there was not replayed, and what this statement does, and"
                  + " what the statements after it do, is not known (fail closed)",
              excerpt(t.sql()),
              null,
              "G4",
              null));
    }
    return out;
  }

  /**
   * Joins a pending table's name and the name of a table of the target it was filled from in {@link
   * StatementTrace#proceduralReads} ({@link PendingFills}).
   */
  static final String FILLED_FROM = ", which a pending migration filled from ";

  /**
   * Joins a table's name and the routines a statement runs per row of it without naming them
   * ({@link Implicit}) in {@link StatementTrace#proceduralReads}.
   */
  static final String PER_ROW = ", per row of which the statement runs ";

  /** Tables of the copy whose name appears as a word in {@code code}. */
  private static Set<Long> named(String code, State after) {
    String lower = code.toLowerCase(Locale.ROOT);
    Set<Long> out = new LinkedHashSet<>();
    for (Relation r : after.relations().values()) {
      if (r.isIndex()) {
        continue;
      }
      String bare = r.name().substring(r.name().lastIndexOf('.') + 1).replace("\"", "");
      if (Pattern.compile("\\b" + Pattern.quote(bare.toLowerCase(Locale.ROOT)) + "\\b")
          .matcher(lower)
          .find()) {
        out.add(r.oid());
      }
    }
    return out;
  }

  /** The bodies of the user routines {@code sql} calls, and of those they call, joined. */
  static String calledBodies(StatementProbe probe, Connection c, String sql) throws SQLException {
    Map<String, String> routines = null;
    StringBuilder out = new StringBuilder();
    Set<String> seen = new LinkedHashSet<>();
    List<String> todo = new ArrayList<>(List.of(sql));
    while (!todo.isEmpty()) {
      String text = todo.remove(todo.size() - 1);
      Matcher m = CALL.matcher(text);
      while (m.find()) {
        String name = m.group(1).toLowerCase(Locale.ROOT);
        if (seen.contains(name)) {
          continue;
        }
        if (routines == null) {
          routines = probe.routineBodies(c);
        }
        String body = routines.get(name);
        if (body != null) {
          seen.add(name);
          out.append(body).append('\n');
          todo.add(body);
        }
      }
    }
    return out.toString();
  }

  private static String excerpt(String sql) {
    String one = sql.strip().replaceAll("\\s+", " ");
    return one.length() > 200 ? one.substring(0, 197) + "..." : one;
  }
}
