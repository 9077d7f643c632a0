package dev.prodguard.trace;

import dev.prodguard.support.StatementProbe;
import java.util.List;

/**
 * What the server did for one statement of a pending migration, replayed on a copy of the target's
 * schema: facts read from its catalog in the statement's own session, not guesses.
 *
 * @param migration the migration's file name ({@code V12__orders.sql}), or the callback's ({@code
 *     afterMigrate.sql}) for a statement of a project callback
 * @param file the file, relative to its location
 * @param line the statement's first line in the file, 1-based
 * @param sql the statement as the engine sends it
 * @param millis how long it ran on the (empty) copy
 * @param inTransaction the deploy runs it inside the migration's transaction; false for a file
 *     Flyway runs outside one (its locks are still reported: each statement was observed in a short
 *     transaction of its own, or, when it cannot run in one, by its command's documented locks)
 * @param locks the relation locks it took that the transaction did not hold before, strongest per
 *     relation
 * @param rewritten tables (and materialized views) whose file node changed: a rewrite of every row
 * @param scanned tables it read in full (sequential scans), other than by a rewrite
 * @param indexesBuilt indexes it created, and existing indexes it wrote anew without rewriting
 *     their table (see {@link IndexBuilt#rebuilt})
 * @param dropped relations that are gone after it
 * @param renamed relations that have another name after it, {@code old -> new}
 * @param constraintsAdded constraints it created, with whether they are validated
 * @param onTarget for each table these facts name, the name the same relation (by identity, its oid
 *     on the copy) had on the target when the schema was copied; a table a pending migration
 *     created is absent (it has no size on the target). A table renamed by an earlier statement is
 *     sized by its target name
 * @param proceduralReads tables whose rows procedural code the statement ran (a {@code DO} block, a
 *     routine it calls) read, where that code branches ({@code IF}, {@code CASE}, loops, dynamic
 *     SQL): on the empty copy it may have taken another branch than the deploy will take on the
 *     target's rows ({@link DataBranches}); empty otherwise
 * @param held the locks the migration's transaction holds after the statement on tables that
 *     existed before it, strongest per table, this statement's and those earlier statements of the
 *     same transaction took (PostgreSQL keeps every lock until the commit): what the statement's
 *     rewrite, scan or build runs under. Empty outside a transaction
 * @param indexLocks the locks the statement took on existing indexes that block their table's
 *     readers or writers (the planner locks every index of a table for a query, a write every
 *     index): {@code REINDEX} holds ACCESS EXCLUSIVE on each index it rebuilds
 * @param rowTriggers the existing tables the statement wrote (INSERT, UPDATE, DELETE, MERGE, COPY)
 *     that have enabled row triggers: on the copy they fire for no row of the target (it holds no
 *     rows), so what they do on the target is not traced
 * @param everyRow the existing tables the statement updates or deletes every row of ({@code UPDATE}
 *     or {@code DELETE} without a {@code WHERE}): on the target it locks each of the table's rows
 *     until its transaction commits and leaves as many dead row versions; the copy holds no rows,
 *     so the size is the target's ({@link ReplayFacts})
 * @param unknownBranches why what the statement's code does (the branch it takes, how often a
 *     routine that changes something runs) depends on what the copy does not hold as the target
 *     does, other than a table's rows ({@link #proceduralReads}): a size, statistics, the session,
 *     the server, a view's rows, the result of dynamic SQL ({@link DataBranches}); each a phrase
 *     naming what it reads; empty otherwise
 * @param whereHolds the existing tables the statement updates or deletes every row of although it
 *     has a {@code WHERE}: the condition holds for every row by the NOT NULL columns the copy's
 *     catalog declares ({@link dev.prodguard.sql.EveryRowWhere}); each is in {@link #everyRow} too
 */
public record StatementTrace(
    String migration,
    String file,
    int line,
    String sql,
    long millis,
    boolean inTransaction,
    List<StatementProbe.Lock> locks,
    List<String> rewritten,
    List<String> scanned,
    List<IndexBuilt> indexesBuilt,
    List<String> dropped,
    List<String> renamed,
    List<ConstraintAdded> constraintsAdded,
    java.util.Map<String, String> onTarget,
    List<String> proceduralReads,
    List<StatementProbe.Lock> held,
    List<IndexLock> indexLocks,
    List<RowTriggers> rowTriggers,
    List<String> everyRow,
    List<String> unknownBranches,
    List<WhereHolds> whereHolds) {

  /**
   * A WHERE that holds for every row of {@code table}: {@code rule} is the lint rule whose finding
   * it is ({@code delete-without-where}, {@code update-without-where}), {@code reason} why (may be
   * null); {@code byCatalog} when only the catalog's NOT NULL facts show it (lint, reading the
   * text, took it as a real condition; otherwise lint reports it itself).
   */
  public record WhereHolds(String table, String rule, String reason, boolean byCatalog) {}

  /** The facts without a WHERE judged to hold for every row. */
  public StatementTrace(
      String migration,
      String file,
      int line,
      String sql,
      long millis,
      boolean inTransaction,
      List<StatementProbe.Lock> locks,
      List<String> rewritten,
      List<String> scanned,
      List<IndexBuilt> indexesBuilt,
      List<String> dropped,
      List<String> renamed,
      List<ConstraintAdded> constraintsAdded,
      java.util.Map<String, String> onTarget,
      List<String> proceduralReads,
      List<StatementProbe.Lock> held,
      List<IndexLock> indexLocks,
      List<RowTriggers> rowTriggers,
      List<String> everyRow,
      List<String> unknownBranches) {
    this(
        migration,
        file,
        line,
        sql,
        millis,
        inTransaction,
        locks,
        rewritten,
        scanned,
        indexesBuilt,
        dropped,
        renamed,
        constraintsAdded,
        onTarget,
        proceduralReads,
        held,
        indexLocks,
        rowTriggers,
        everyRow,
        unknownBranches,
        List.of());
  }

  /** The facts before the data-branch judgement ({@link DataBranches}): no unknown branches. */
  public StatementTrace(
      String migration,
      String file,
      int line,
      String sql,
      long millis,
      boolean inTransaction,
      List<StatementProbe.Lock> locks,
      List<String> rewritten,
      List<String> scanned,
      List<IndexBuilt> indexesBuilt,
      List<String> dropped,
      List<String> renamed,
      List<ConstraintAdded> constraintsAdded,
      java.util.Map<String, String> onTarget,
      List<String> proceduralReads,
      List<StatementProbe.Lock> held,
      List<IndexLock> indexLocks,
      List<RowTriggers> rowTriggers,
      List<String> everyRow) {
    this(
        migration,
        file,
        line,
        sql,
        millis,
        inTransaction,
        locks,
        rewritten,
        scanned,
        indexesBuilt,
        dropped,
        renamed,
        constraintsAdded,
        onTarget,
        proceduralReads,
        held,
        indexLocks,
        rowTriggers,
        everyRow,
        List.of());
  }

  /** The facts without procedural reads, held locks, index locks or row triggers. */
  public StatementTrace(
      String migration,
      String file,
      int line,
      String sql,
      long millis,
      boolean inTransaction,
      List<StatementProbe.Lock> locks,
      List<String> rewritten,
      List<String> scanned,
      List<IndexBuilt> indexesBuilt,
      List<String> dropped,
      List<String> renamed,
      List<ConstraintAdded> constraintsAdded,
      java.util.Map<String, String> onTarget) {
    this(
        migration,
        file,
        line,
        sql,
        millis,
        inTransaction,
        locks,
        rewritten,
        scanned,
        indexesBuilt,
        dropped,
        renamed,
        constraintsAdded,
        onTarget,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  /** The facts with held locks, index locks and row triggers, without procedural reads. */
  public StatementTrace(
      String migration,
      String file,
      int line,
      String sql,
      long millis,
      boolean inTransaction,
      List<StatementProbe.Lock> locks,
      List<String> rewritten,
      List<String> scanned,
      List<IndexBuilt> indexesBuilt,
      List<String> dropped,
      List<String> renamed,
      List<ConstraintAdded> constraintsAdded,
      java.util.Map<String, String> onTarget,
      List<StatementProbe.Lock> held,
      List<IndexLock> indexLocks,
      List<RowTriggers> rowTriggers) {
    this(
        migration,
        file,
        line,
        sql,
        millis,
        inTransaction,
        locks,
        rewritten,
        scanned,
        indexesBuilt,
        dropped,
        renamed,
        constraintsAdded,
        onTarget,
        List.of(),
        held,
        indexLocks,
        rowTriggers,
        List.of(),
        List.of());
  }

  /**
   * This trace with {@code reads} as its {@link #proceduralReads}, {@code names} (the target's name
   * of each, when it existed there) added to {@link #onTarget}, and {@code unknown} as its {@link
   * #unknownBranches}.
   */
  StatementTrace withProceduralReads(
      List<String> reads, java.util.Map<String, String> names, List<String> unknown) {
    java.util.Map<String, String> all = new java.util.HashMap<>(onTarget);
    all.putAll(names);
    return new StatementTrace(
        migration,
        file,
        line,
        sql,
        millis,
        inTransaction,
        locks,
        rewritten,
        scanned,
        indexesBuilt,
        dropped,
        renamed,
        constraintsAdded,
        all,
        reads,
        held,
        indexLocks,
        rowTriggers,
        everyRow,
        unknown,
        whereHolds);
  }

  /**
   * This trace with {@code holds} as its {@link #whereHolds}, each of their tables added to {@link
   * #everyRow}.
   */
  StatementTrace withWhereHolds(List<WhereHolds> holds) {
    List<String> every = new java.util.ArrayList<>(everyRow);
    holds.forEach(
        h -> {
          if (!every.contains(h.table())) {
            every.add(h.table());
          }
        });
    return new StatementTrace(
        migration,
        file,
        line,
        sql,
        millis,
        inTransaction,
        locks,
        rewritten,
        scanned,
        indexesBuilt,
        dropped,
        renamed,
        constraintsAdded,
        onTarget,
        proceduralReads,
        held,
        indexLocks,
        rowTriggers,
        every,
        unknownBranches,
        holds);
  }

  /** The WHERE of this statement judged to hold for every row of {@code table}, or null. */
  public WhereHolds whereHoldsOn(String table) {
    for (WhereHolds h : whereHolds) {
      if (h.table().equals(table)) {
        return h;
      }
    }
    return null;
  }

  /** A lock the statement took on index {@code index} of {@code table}. */
  public record IndexLock(String index, String table, String mode) {}

  /** An existing table the statement wrote, and its enabled row triggers, by name. */
  public record RowTriggers(String table, List<String> triggers) {
    public RowTriggers {
      triggers = List.copyOf(triggers);
    }
  }

  /**
   * An index the statement built; {@code concurrently} when it was built outside a transaction.
   *
   * @param rebuilt an index that existed before, by the same name on the same table, written anew
   *     by a statement other than {@code CREATE INDEX}: {@code ALTER TABLE ... TYPE} that changes
   *     what the index compares (a collation, an operator class) without rewriting the table,
   *     {@code REINDEX}. An index PostgreSQL keeps (a binary-coercible type change re-creates it in
   *     the catalog over the same file) or writes as part of a table rewrite is not in the list:
   *     the rewrite is the fact.
   */
  public record IndexBuilt(String name, String table, boolean concurrently, boolean rebuilt) {
    public IndexBuilt(String name, String table, boolean concurrently) {
      this(name, table, concurrently, false);
    }
  }

  /**
   * A constraint the statement added; {@code validated} when the server checked the existing rows
   * (a foreign key or check without {@code NOT VALID}).
   */
  public record ConstraintAdded(String name, String table, char type, boolean validated) {
    public String typeName() {
      return switch (type) {
        case 'f' -> "foreign key";
        case 'c' -> "check";
        case 'p' -> "primary key";
        case 'u' -> "unique";
        case 'x' -> "exclusion";
        case 'n' -> "not null";
        default -> "constraint";
      };
    }
  }

  public StatementTrace {
    locks = List.copyOf(locks);
    rewritten = List.copyOf(rewritten);
    scanned = List.copyOf(scanned);
    indexesBuilt = List.copyOf(indexesBuilt);
    dropped = List.copyOf(dropped);
    renamed = List.copyOf(renamed);
    constraintsAdded = List.copyOf(constraintsAdded);
    onTarget = java.util.Map.copyOf(onTarget);
    proceduralReads = List.copyOf(proceduralReads);
    held = List.copyOf(held);
    indexLocks = List.copyOf(indexLocks);
    rowTriggers = List.copyOf(rowTriggers);
    everyRow = List.copyOf(everyRow);
    unknownBranches = List.copyOf(unknownBranches);
    whereHolds = List.copyOf(whereHolds);
  }

  /** The tables these facts name, each once, in the order the findings report them. */
  public java.util.Set<String> tables() {
    java.util.Set<String> tables =
        tables(locks, rewritten, scanned, indexesBuilt, constraintsAdded);
    indexLocks.forEach(l -> tables.add(l.table()));
    rowTriggers.forEach(r -> tables.add(r.table()));
    tables.addAll(everyRow);
    return tables;
  }

  /** The strongest mode the migration's transaction holds on {@code relation} after it, or null. */
  public String heldOn(String relation) {
    for (StatementProbe.Lock l : held) {
      if (l.relation().equals(relation)) {
        return l.mode();
      }
    }
    return null;
  }

  static java.util.Set<String> tables(
      List<StatementProbe.Lock> locks,
      List<String> rewritten,
      List<String> scanned,
      List<IndexBuilt> indexesBuilt,
      List<ConstraintAdded> constraintsAdded) {
    java.util.Set<String> tables = new java.util.LinkedHashSet<>();
    locks.forEach(l -> tables.add(l.relation()));
    tables.addAll(rewritten);
    tables.addAll(scanned);
    indexesBuilt.forEach(i -> tables.add(i.table()));
    constraintsAdded.forEach(k -> tables.add(k.table()));
    return tables;
  }

  /** The mode this statement took on {@code relation}, or null. */
  public String lockOn(String relation) {
    for (StatementProbe.Lock l : locks) {
      if (l.relation().equals(relation)) {
        return l.mode();
      }
    }
    return null;
  }
}
