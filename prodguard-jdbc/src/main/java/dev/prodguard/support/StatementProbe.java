package dev.prodguard.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a server did for one statement, read from its catalog in the statement's own session (for
 * trace, docs/trace.md): the relations with their file nodes (a changed file node is a rewrite) and
 * the scans this transaction made of each, the constraints with their validation state, and the
 * relation locks the session holds. PostgreSQL only ({@code pg_class}, {@code pg_constraint},
 * {@code pg_locks}, {@code pg_stat_get_xact_numscans}); MySQL/MariaDB expose no such facts.
 */
public interface StatementProbe {

  /**
   * A relation of the scratch database.
   *
   * @param name {@code schema.name}, quoted where needed
   * @param kind {@code pg_class.relkind}: {@code r} table, {@code p} partitioned, {@code m}
   *     materialized view, {@code i}/{@code I} index
   * @param fileNode {@code pg_class.relfilenode} (0 for a partitioned relation)
   * @param scans the sequential scans (tables) or index scans (indexes) of the current transaction
   * @param table for an index, its table; else empty
   * @param parent for a partition, the oid of the partitioned table it is a partition of; for an
   *     inheritance child, the oid of its first parent ({@code pg_inherits.inhseqno}); else 0
   */
  record Relation(
      long oid, String name, char kind, long fileNode, long scans, String table, long parent) {
    public boolean isIndex() {
      return kind == 'i' || kind == 'I';
    }
  }

  /**
   * A table constraint.
   *
   * @param type {@code pg_constraint.contype}: {@code f} foreign key, {@code c} check, {@code p}
   *     primary key, {@code u} unique, {@code x} exclusion, {@code n} not null (17+)
   */
  record Constraint(long oid, String name, String table, char type, boolean validated) {}

  /** A relation lock the session holds, granted, with its {@code pg_locks.mode}. */
  record Lock(String relation, String mode) {}

  /**
   * A live column of a table ({@code pg_attribute}, {@code attnum > 0}, not dropped).
   *
   * @param table the oid of its table
   * @param number {@code attnum}: stays with the column through a rename
   * @param name {@code attname}, quoted where needed
   */
  record Column(long table, int number, String name) {}

  /**
   * The state a statement is compared before and after.
   *
   * @param columns the live columns of the tables (r, p), by table oid and attnum
   * @param deferrable whether the database holds anything a commit may run late: a deferrable
   *     constraint or constraint trigger in any schema, temporary ones included ({@code
   *     pg_constraint.condeferrable}, {@code pg_trigger.tgdeferrable}). Only when it holds none can
   *     no deferred trigger event be queued, and {@link #fireDeferred} be left out (fail closed:
   *     true when not read)
   */
  record State(
      Map<Long, Relation> relations,
      Map<Long, Constraint> constraints,
      List<Lock> locks,
      List<Column> columns,
      boolean deferrable) {
    public State {
      relations = Map.copyOf(relations);
      constraints = Map.copyOf(constraints);
      locks = List.copyOf(locks);
      columns = List.copyOf(columns);
    }

    public State(
        Map<Long, Relation> relations,
        Map<Long, Constraint> constraints,
        List<Lock> locks,
        List<Column> columns) {
      this(relations, constraints, locks, columns, true);
    }

    public State(
        Map<Long, Relation> relations, Map<Long, Constraint> constraints, List<Lock> locks) {
      this(relations, constraints, locks, List.of(), true);
    }
  }

  /**
   * A relation's size on the target, from its catalog and statistics only (no table is read).
   *
   * @param rows the planner's estimate: {@code pg_class.reltuples} scaled to the table's pages now
   *     ({@code pg_relation_size}), so statistics taken before a load do not shrink it; else {@code
   *     pg_stat_user_tables.n_live_tup}; -1 (rows unknown, never "empty") when neither knows and
   *     the table has pages; 0 only for a table without pages. A partitioned table: the sum over
   *     its partitions; an inheritance parent: its own rows plus its children's (a statement on the
   *     parent reaches them)
   * @param bytes {@code pg_total_relation_size}: table, indexes and TOAST; a partitioned table: the
   *     sum over its partitions (PostgreSQL gives the parent itself 0 B); an inheritance parent:
   *     its own plus its children's
   */
  record Size(long rows, long bytes) {}

  /** What a session starts with: its role and search path. */
  record Session(String role, String searchPath) {}

  /** The session's role and search path now (read once, before the first migration). */
  Session session(Connection c) throws SQLException;

  /**
   * Before each migration, what Flyway does on PostgreSQL ({@code Connection.restoreOriginalState}
   * and {@code changeCurrentSchemaTo}): {@code SET ROLE} back to the role the session started with,
   * and, unless the search path started with it, the default schema put first on the search path
   * the session started with. A {@code SET search_path} or {@code SET ROLE} a migration leaves
   * behind does not reach the next one.
   */
  void restore(Connection c, Session start, String defaultSchema) throws SQLException;

  /** The session's state; run inside the statement's transaction to see its locks. */
  State state(Connection c) throws SQLException;

  /**
   * Sizes of the target's relations by {@code schema.name}; catalog reads only. A relation absent
   * from the answer does not exist on the target.
   */
  Map<String, Size> sizes(Connection target, Collection<String> relations) throws SQLException;

  /**
   * For each of the target's relations named ({@code schema.name}, as {@link #sizes} names them),
   * every table it is a partition or an inheritance child of, transitively, nearest first; a
   * relation with none (or absent from the target) is absent from the answer. Catalog reads only
   * ({@code pg_inherits}): a partition of a protected table is protected too (G4).
   */
  Map<String, List<String>> ancestors(Connection target, Collection<String> relations)
      throws SQLException;

  /**
   * The target's relations a statement can act on (tables, partitioned tables, materialized views,
   * foreign tables, views but an extension's) in every schema but the server's own, {@code
   * ownTables} of the session's current schema left out, and its foreign servers ({@code foreign
   * server NAME}: rows elsewhere); at most {@code limit}, by name. Catalog reads only. Empty: no
   * statement can act on rows the target already holds or reaches (docs/trace.md, "nothing to
   * trace").
   */
  List<String> tables(Connection target, Collection<String> ownTables, int limit)
      throws SQLException;

  /**
   * The client command that writes the target's schema, no data, no tablespaces, to standard output
   * as an archive ({@code pg_dump --schema-only --format=custom --no-tablespaces}); connection and
   * credentials come from {@link DumpTool#processEnvironment}. It waits at most {@code lockWait}
   * for each table lock it takes (another session's ACCESS EXCLUSIVE lock makes it fail, never
   * wait: {@code pipeline.lock-wait-timeout}, as every read before the deploy).
   */
  List<String> schemaDumpCommand(Optional<Path> binDir, java.time.Duration lockWait);

  /**
   * Whether the text {@code clientError} of a failed {@link #schemaDumpCommand} says that it gave
   * up waiting for a lock ({@code lockWait} reached).
   */
  boolean dumpLockTimedOut(String clientError);

  /**
   * The client command that restores the entries {@code list} selects from the archive {@code dump}
   * into {@code database} ({@code pg_restore --use-list}), stopping at the first error.
   */
  List<String> schemaLoadCommand(Optional<Path> binDir, Path dump, Path list, String database);

  /**
   * Whether an entry of the archive's table of contents (a line of {@code pg_restore --list}) is
   * copied into the scratch database: never what reaches beyond it (foreign data wrappers, foreign
   * servers, user mappings and their credentials).
   */
  boolean copiedToScratch(String tocLine);

  /**
   * Statements run on the fresh scratch database before the schema is restored: the target's
   * foreign servers ({@code servers}) recreated by name on a wrapper with no handler, so that
   * foreign tables restore but no replayed statement can read or write through them.
   */
  List<String> beforeScratchLoad(List<String> servers);

  /** The names of the target's foreign servers (catalog read). */
  List<String> foreignServers(Connection target) throws SQLException;

  /**
   * Statements that make a fresh copy of a schema fit to replay migrations: what would refuse or
   * divert them there (prodguard's DDL guard, every event trigger) is dropped; what reaches beyond
   * the scratch database is checked gone (else an error); and, when {@code owner} is given, the
   * copied objects (not an extension's) are given to that unprivileged role, which replays.
   */
  List<String> prepareScratch(Optional<String> owner);

  /** Whether the scratch server refused a replayed statement for want of a privilege. */
  boolean insufficientPrivilege(SQLException e);

  /** Whether a replayed statement failed because it reached a foreign table of the copy. */
  boolean foreignTable(SQLException e);

  /**
   * The source of every routine of the scratch database a replayed statement may call by name: the
   * user's functions and procedures in a procedural or SQL language (not an extension's, not
   * written in C or internal), by lower-case name, the bodies of overloads joined. A SQL-standard
   * body ({@code BEGIN ATOMIC ... END}, {@code RETURN expr}) as the server deparses it ({@code
   * pg_get_function_sqlbody}); a body that reads as no text is kept empty, and the caller fails
   * closed on it. Catalog reads in the replay's session ({@code pg_proc}).
   */
  Map<String, String> routineBodies(Connection c) throws SQLException;

  /**
   * The target's materialized views that hold data there ({@code relispopulated}), {@code
   * schema.name}: the schema copy creates them empty. Catalog reads only.
   */
  List<String> populatedMaterializedViews(Connection target) throws SQLException;

  /**
   * Fills the copy's materialized views {@code views} as the replay's role ({@code replay}, their
   * owner after {@link #prepareScratch}), each from the copy's (empty) tables, views that read
   * other views after them, each within {@code timeoutSeconds}: a {@code REFRESH MATERIALIZED VIEW
   * CONCURRENTLY} replays as on the target (it refuses an unpopulated view). A view that cannot be
   * filled stays empty. Returns the views left empty.
   */
  List<String> populate(Connection replay, List<String> views, int timeoutSeconds)
      throws SQLException;

  /** The server's major version ({@code server_version_num / 10000}). */
  int majorVersion(Connection c) throws SQLException;

  /**
   * What the server said when it refused a statement, on one line: the message with its detail and
   * hint (PostgreSQL's DETAIL names what depends on what, the part that says what to fix), without
   * the context and position lines.
   */
  String failure(SQLException e);

  /** Whether {@code e} says the statement cannot run inside a transaction block. */
  boolean outsideTransactionOnly(SQLException e);

  /**
   * The relation locks a statement that cannot run inside a transaction block ({@link
   * #outsideTransactionOnly}: {@code CREATE INDEX CONCURRENTLY}, {@code VACUUM}, ...) takes, by the
   * server's documented lock mode for its command, on the relations it names as resolved in {@code
   * c}'s session now (before it runs: {@code DROP INDEX CONCURRENTLY} removes what it names). Such
   * a statement commits on its own, so its locks are gone before they could be read. Empty when the
   * command or its relations are not known (trace is then incomplete: never lock-free); an empty
   * list when the command is known to lock no table.
   */
  default Optional<List<Lock>> locksOutsideTransaction(Connection c, String sql)
      throws SQLException {
    return Optional.empty();
  }

  /**
   * The relations (tables and their indexes, by oid) a {@code TRUNCATE} statement empties, resolved
   * in {@code c}'s session before it runs: they get new, empty files, which is no rewrite. Empty
   * when {@code sql} is no {@code TRUNCATE} or its tables cannot be resolved: then no relation's
   * new file is spared (an {@code ON TRUNCATE} trigger may rewrite another table).
   */
  default Optional<java.util.Set<Long>> truncated(Connection c, String sql) throws SQLException {
    return Optional.empty();
  }

  /**
   * Runs now, in {@code c}'s open transaction, what its commit would run first: the deferred
   * constraint triggers and checks queued so far (PostgreSQL: {@code SET CONSTRAINTS ALL
   * IMMEDIATE}), so that their locks can be read before the commit releases them. Throws what a
   * failing deferred check throws (the commit would fail with it).
   */
  default void fireDeferred(Connection c) throws SQLException {}

  /**
   * Sends one replayed statement to the scratch database as the engine sends it to the target. A
   * PostgreSQL {@code COPY ... FROM STDIN} (which Flyway runs through the driver's CopyManager with
   * the rows that follow it in the file) goes through the CopyManager with no rows: the copy holds
   * no data, and the statement's locks are the facts; a plain {@code execute} was refused ("COPY
   * commands are only supported using the CopyManager API") and trace called it a deploy failure.
   */
  default void send(java.sql.Statement st, String sql) throws SQLException {
    st.execute(sql);
  }

  /**
   * An entry of the target's schema archive that the copy does not restore, and what it creates in
   * its place (docs/trace.md, "Schema copy"): an extension that may act beyond the database
   * (dblink, postgres_fdw, an untrusted language, ...) or a routine of the target in an untrusted
   * language, replaced by stubs of the same signatures that raise when called.
   *
   * @param entry {@code <catalog oid> <object oid>} as {@code pg_restore --list} shows it
   * @param create the statements that create the stubs (run as the scratch server's superuser)
   * @param what what is replaced, for messages ({@code extension dblink})
   */
  record Stub(String entry, List<String> create, String what) {
    public Stub {
      create = List.copyOf(create);
    }
  }

  /**
   * One part of the schema copy: the archive's entries {@code entries} (lines of its table of
   * contents) restored in their order, then the statements {@code after} run.
   */
  record LoadStep(List<String> entries, List<String> after) {
    public LoadStep {
      entries = List.copyOf(entries);
      after = List.copyOf(after);
    }
  }

  /** What the copy of the target's schema replaces by stubs (catalog reads on the target). */
  default List<Stub> stubs(Connection target) throws SQLException {
    return List.of();
  }

  /**
   * The table of contents {@code toc} (entries {@link #copiedToScratch} kept) as the parts the copy
   * is restored in: split where an entry is replaced by {@code stubs}, whose statements run at its
   * place.
   */
  default List<LoadStep> loadPlan(List<String> toc, List<Stub> stubs) {
    return List.of(new LoadStep(toc, List.of()));
  }

  /** Whether a replayed statement failed because it called a stub ({@link #stubs}). */
  default boolean stubbed(SQLException e) {
    return false;
  }

  /**
   * The enabled row triggers (not the server's own) of {@code tables} ({@code schema.name}), by
   * table; a table without one is absent. Read in the replay's session.
   */
  default Map<String, List<String>> rowTriggers(Connection c, Collection<String> tables)
      throws SQLException {
    return Map.of();
  }

  /**
   * The columns of {@code tables} ({@code schema.name}) the catalog declares NOT NULL ({@code
   * pg_attribute.attnotnull}: NOT NULL and primary-key columns, live ones), by table, names
   * lower-case as written unquoted; a table without one is absent. Read in the replay's session, so
   * a column a pending migration set NOT NULL or dropped counts as it is at the statement. Empty
   * when not read: no WHERE is then found to hold for every row by them.
   */
  default Map<String, java.util.Set<String>> notNullColumns(Connection c, Collection<String> tables)
      throws SQLException {
    return Map.of();
  }

  /**
   * The target's relations (tables, materialized views, indexes) that are not in its database's
   * default tablespace, by {@code schema.name}, with their tablespace's name; the key {@code ""}
   * holds the name of the database's default tablespace. Catalog reads only.
   */
  default Map<String, String> tablespaces(Connection target) throws SQLException {
    return Map.of();
  }

  /**
   * A name resolved as the server resolves a relation's name in the session now.
   *
   * @param name the name as asked ({@code orders}, {@code pg_catalog.pg_class}, {@code "Odd"})
   * @param oid the relation's oid
   * @param kind {@code pg_class.relkind}
   * @param schema the schema it is in ({@code pg_catalog}, {@code information_schema}, a user's)
   * @param relation its name in that schema, unquoted
   */
  record NamedRelation(String name, long oid, char kind, String schema, String relation) {}

  /**
   * The names of {@code names} that are relations in {@code c}'s session now, resolved by the
   * server with the session's search path ({@code to_regclass}); a name that is none (a column, a
   * variable, a common table expression) is absent. Read in the replay's session; a name the server
   * cannot parse is absent, and the session's transaction is left as it was.
   */
  default List<NamedRelation> relationsNamed(Connection c, Collection<String> names)
      throws SQLException {
    return List.of();
  }

  /**
   * A user routine a statement runs without naming it, once per row it reads or writes.
   *
   * @param path {@code operator}, {@code cast}, {@code trigger} (a row trigger of a table the
   *     statement writes) or {@code default} (a column's default or generated expression of such a
   *     table)
   * @param key what reaches it: the operator's symbol; the cast's target type (unqualified, as
   *     {@code format_type} spells it) and context ({@code e}xplicit, {@code a}ssignment, {@code
   *     i}mplicit), joined by a space; the table's {@code schema.name}
   * @param routine the routine's name, lower case, unqualified (as {@link #routineBodies} keys it)
   * @param what a phrase naming the path ({@code trigger t_audit on public.orders})
   */
  record PerRowRoutine(String path, String key, String routine, String what) {}

  /**
   * The user routines (not the server's, not an extension's) that operators, casts, and the row
   * triggers and column defaults or generated expressions of {@code written} (tables by {@code
   * schema.name}, as {@link State} names them) run, read in the replay's session: what a statement
   * may run per row without calling it by name. Catalog reads only.
   */
  default List<PerRowRoutine> perRowRoutines(Connection c, Collection<String> written)
      throws SQLException {
    return List.of();
  }
}
