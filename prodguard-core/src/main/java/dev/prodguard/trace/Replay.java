package dev.prodguard.trace;

import dev.prodguard.sql.EveryRowWhere;
import dev.prodguard.sql.SqlCode;
import dev.prodguard.sql.SqlSyntax;
import dev.prodguard.support.StatementProbe;
import dev.prodguard.support.StatementProbe.Constraint;
import dev.prodguard.support.StatementProbe.Lock;
import dev.prodguard.support.StatementProbe.Relation;
import dev.prodguard.support.StatementProbe.State;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Runs one migration's statements on the scratch database as the deploy will: in one transaction
 * (Flyway's default on PostgreSQL), or, when the server refuses a statement inside a transaction
 * ({@code CREATE INDEX CONCURRENTLY}), the whole migration again statement by statement outside
 * one. Between statements it reads the session's state ({@link StatementProbe}) and keeps what
 * changed.
 */
final class Replay {
  /**
   * A statement the engine will send, with its line; {@code label} and {@code file} name the
   * callback it comes from (a callback's statements run inside the migration's transaction), null
   * for the migration's own.
   */
  record Sql(int line, String text, String label, String file) {
    Sql(int line, String text) {
      this(line, text, null, null);
    }
  }

  /**
   * A statement the server refused on the copy; {@code done}: the statements of its migration that
   * ran before it, with what they did (the deploy runs them too before it fails).
   */
  static final class Failed extends Exception {
    final Sql statement;
    final List<StatementTrace> done;

    /**
     * Why the trace cannot know what the statement does (it is then incomplete, not a deploy
     * failure); null for a statement the server refused.
     */
    final String incomplete;

    Failed(Sql statement, SQLException cause, List<StatementTrace> done) {
      super(cause.getMessage(), cause);
      this.statement = statement;
      this.done = List.copyOf(done);
      this.incomplete = null;
    }

    Failed(Sql statement, String incomplete, List<StatementTrace> done) {
      super(incomplete);
      this.statement = statement;
      this.done = List.copyOf(done);
      this.incomplete = incomplete;
    }
  }

  private final StatementProbe probe;
  private final UnaryOperator<String> mask;

  /**
   * The name each relation of the copy had when the schema was copied, by oid: what the target
   * calls it, whatever a replayed statement renames it to. Read before the first statement.
   */
  private Map<Long, String> copied;

  /** What the pending migrations filled the tables they created with, as the replay goes. */
  private final PendingFills fills = new PendingFills();

  /**
   * @param mask what the recorded statement text shows instead of the one sent (placeholder values
   *     read from the environment are shown as their placeholder, as lint shows them)
   */
  Replay(StatementProbe probe, UnaryOperator<String> mask) {
    this.probe = probe;
    this.mask = mask;
  }

  Replay(StatementProbe probe) {
    this(probe, UnaryOperator.identity());
  }

  /**
   * Runs one migration: in one transaction when {@code inTransaction} (Flyway's default on
   * PostgreSQL), else statement by statement outside one, as Flyway runs a file whose script
   * configuration says {@code executeInTransaction=false} or whose statements cannot run in one.
   */
  List<StatementTrace> migration(
      Connection c, String label, String file, List<Sql> statements, boolean inTransaction)
      throws SQLException, Failed {
    if (!inTransaction) {
      return outside(c, label, file, statements);
    }
    return migration(c, label, file, statements);
  }

  List<StatementTrace> migration(Connection c, String label, String file, List<Sql> statements)
      throws SQLException, Failed {
    c.setAutoCommit(false);
    try {
      List<StatementTrace> out = run(c, label, file, statements, true);
      c.commit();
      return out;
    } catch (OutsideTransaction e) {
      c.rollback();
      c.setAutoCommit(true);
      return outside(c, label, file, statements);
    } catch (SQLException | Failed | RuntimeException e) {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** Thrown inside {@link #run} to start the migration again outside a transaction. */
  private static final class OutsideTransaction extends RuntimeException {
    OutsideTransaction() {
      super(null, null, false, false);
    }
  }

  private List<StatementTrace> run(
      Connection c, String label, String file, List<Sql> statements, boolean inTransaction)
      throws SQLException, Failed {
    List<StatementTrace> out = new ArrayList<>();
    State before = probe.state(c);
    if (copied == null) {
      copied = new HashMap<>();
      before.relations().values().forEach(r -> copied.put(r.oid(), r.name()));
    }
    for (Sql s : statements) {
      java.util.Set<Long> truncated = truncated(c, s);
      Map<String, StatementProbe.NamedRelation> named =
          DataBranches.namesBefore(probe, c, s.text());
      long t0 = System.nanoTime();
      try (Statement st = c.createStatement()) {
        probe.send(st, s.text());
      } catch (SQLException e) {
        if (inTransaction && probe.outsideTransactionOnly(e)) {
          throw new OutsideTransaction();
        }
        throw new Failed(s, e, out);
      }
      long millis = (System.nanoTime() - t0) / 1_000_000;
      hidden(c, s, before, out);
      State after = probe.state(c);
      out.add(
          observed(
              c,
              s,
              label,
              file,
              millis,
              inTransaction,
              !inTransaction,
              List.of(),
              truncated,
              before,
              after,
              named));
      before = after;
    }
    if (inTransaction && !statements.isEmpty()) {
      StatementTrace commit =
          atCommit(c, label, file, statements.get(statements.size() - 1), true, before, out);
      if (commit != null) {
        out.add(commit);
      }
    }
    return out;
  }

  /** Stops the trace as incomplete where a statement's locks cannot be read (fail closed). */
  private void hidden(Connection c, Sql s, State before, List<StatementTrace> out) throws Failed {
    java.util.Optional<String> why;
    try {
      why = DataBranches.lockHidingHandler(probe, c, s.text(), before, copied);
    } catch (SQLException e) {
      throw new Failed(s, "its procedural code could not be read: " + e.getMessage(), out);
    }
    if (why.isPresent()) {
      throw new Failed(s, why.get(), out);
    }
  }

  /**
   * What the commit of a transaction does on top of its statements: deferred constraint triggers
   * and deferred constraint checks run then ({@code INITIALLY DEFERRED}), with their own locks and
   * rewrites, after the last statement's locks were read. They are made to run now ({@link
   * StatementProbe#fireDeferred}: {@code SET CONSTRAINTS ALL IMMEDIATE} on PostgreSQL, what the
   * commit runs first) and what they did is reported as a statement of its own, {@code COMMIT}, at
   * the line of the last statement; null when they did nothing the facts name. A deferred check
   * that fails is the deploy's failure at commit. When the database holds no deferrable constraint
   * or constraint trigger after the last statement ({@link State#deferrable}, every schema,
   * temporary ones included), no event can be queued for the commit (PostgreSQL refuses to drop or
   * alter a table with pending trigger events), so nothing runs there: null, without the round
   * trips of firing and reading again.
   */
  private StatementTrace atCommit(
      Connection c,
      String label,
      String file,
      Sql last,
      boolean inTransaction,
      State before,
      List<StatementTrace> out)
      throws SQLException, Failed {
    if (!before.deferrable()) {
      return null;
    }
    Sql commit =
        new Sql(
            last.line(),
            "COMMIT -- deferred constraint triggers and checks, run at the commit",
            last.label(),
            last.file());
    long t0 = System.nanoTime();
    try {
      probe.fireDeferred(c);
    } catch (SQLException e) {
      throw new Failed(commit, e, out);
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    State after = probe.state(c);
    StatementTrace t =
        diff(
            commit.label() == null ? label : commit.label(),
            commit.file() == null ? file : commit.file(),
            commit,
            millis,
            inTransaction,
            false,
            List.of(),
            java.util.Set.of(),
            before,
            after,
            copied);
    if (t.locks().isEmpty()
        && t.rewritten().isEmpty()
        && t.scanned().isEmpty()
        && t.indexesBuilt().isEmpty()
        && t.dropped().isEmpty()
        && t.renamed().isEmpty()
        && t.constraintsAdded().isEmpty()) {
      return null;
    }
    return facts(c, commit, t, before, after);
  }

  /**
   * A migration Flyway runs outside a transaction ({@code executeInTransaction=false}, or a
   * statement that cannot run in one), each statement committing on its own (autocommit). Its locks
   * are gone once it commits, so each statement that can run in a transaction block runs in one of
   * its own ({@code BEGIN}; statement; its locks and state read; {@code COMMIT}): on the copy the
   * same effect as autocommit, with its locks observed. A statement the server refuses in a
   * transaction block ({@code CREATE INDEX CONCURRENTLY}, {@code VACUUM}) runs in autocommit, and
   * its locks are PostgreSQL's documented ones for its command ({@link
   * StatementProbe#locksOutsideTransaction}); a command whose locks are not known stops the trace
   * as incomplete, never reported lock-free. Every statement is reported {@code inTransaction =
   * false}: what the deploy does.
   */
  private List<StatementTrace> outside(
      Connection c, String label, String file, List<Sql> statements) throws SQLException, Failed {
    List<StatementTrace> out = new ArrayList<>();
    try {
      for (Sql s : statements) {
        c.setAutoCommit(false);
        State before = probe.state(c);
        remember(before);
        java.util.Set<Long> truncated = truncated(c, s);
        Map<String, StatementProbe.NamedRelation> named =
            DataBranches.namesBefore(probe, c, s.text());
        long t0 = System.nanoTime();
        boolean block = true;
        try (Statement st = c.createStatement()) {
          probe.send(st, s.text());
        } catch (SQLException e) {
          c.rollback();
          // 2D000 (invalid transaction termination): a procedure or DO block that commits, which
          // runs in autocommit but not inside a transaction block
          if (!probe.outsideTransactionOnly(e) && !"2D000".equals(e.getSQLState())) {
            throw new Failed(s, e, out);
          }
          block = false;
        }
        List<Lock> documented = List.of();
        if (!block) {
          c.setAutoCommit(true);
          java.util.Optional<List<Lock>> known = probe.locksOutsideTransaction(c, s.text());
          if (known.isEmpty()) {
            throw new Failed(
                s,
                "cannot run inside a transaction block, so its locks are released before they can"
                    + " be read, and prodguard does not know the locks of this command: nothing"
                    + " from here on was traced",
                out);
          }
          documented = known.get();
          before = probe.state(c);
          named = DataBranches.namesBefore(probe, c, s.text());
          t0 = System.nanoTime();
          try (Statement st = c.createStatement()) {
            probe.send(st, s.text());
          } catch (SQLException e) {
            throw new Failed(s, e, out);
          }
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        hidden(c, s, before, out);
        State after = probe.state(c);
        out.add(
            observed(
                c,
                s,
                label,
                file,
                millis,
                false,
                !block,
                documented,
                truncated,
                before,
                after,
                named));
        if (block) {
          StatementTrace commit = atCommit(c, label, file, s, false, after, out);
          if (commit != null) {
            out.add(commit);
          }
          c.commit();
        }
      }
    } finally {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      c.setAutoCommit(true);
    }
    return out;
  }

  /**
   * What a {@code TRUNCATE} will empty, resolved before it runs; nothing for any other statement,
   * or when its tables cannot be resolved (then every new file is a rewrite: fail closed).
   */
  private java.util.Set<Long> truncated(Connection c, Sql s) throws SQLException {
    if (!"TRUNCATE".equals(SqlCode.firstWord(s.text(), SqlSyntax.POSTGRESQL))) {
      return java.util.Set.of();
    }
    return probe.truncated(c, s.text()).orElse(java.util.Set.of());
  }

  /** The names of the copy's relations as copied, read once, before the first statement. */
  private void remember(State before) {
    if (copied == null) {
      copied = new HashMap<>();
      before.relations().values().forEach(r -> copied.put(r.oid(), r.name()));
    }
  }

  /**
   * The target's relations that are not in its database's default tablespace, by name (the key
   * {@code ""}: the default's name): the copy holds no tablespaces, so a {@code SET TABLESPACE}
   * that copies one of them on the target is a no-op on the copy ({@link ReplayFacts}).
   */
  private Map<String, String> tablespaces = new HashMap<>();

  /** Kept up to date with the moves the replay reports (a second move back is no copy). */
  Replay tablespaces(Map<String, String> onTarget) {
    this.tablespaces = new HashMap<>(onTarget);
    return this;
  }

  /** {@code t} with the facts the copy does not show as the target will ({@link ReplayFacts}). */
  /**
   * What one statement that ran did, as reported: its {@link #diff}, the facts the server adds
   * ({@link #facts}), what it filled ({@link PendingFills}) and what it did that depends on the
   * data ({@link DataBranches}). {@code named}: the relations its names resolved to before it ran.
   */
  private StatementTrace observed(
      Connection c,
      Sql s,
      String label,
      String file,
      long millis,
      boolean inTransaction,
      boolean concurrently,
      List<Lock> documented,
      java.util.Set<Long> truncated,
      State before,
      State after,
      Map<String, StatementProbe.NamedRelation> named)
      throws SQLException {
    StatementTrace t =
        diff(
            s.label() == null ? label : s.label(),
            s.file() == null ? file : s.file(),
            shown(s),
            millis,
            inTransaction,
            concurrently,
            documented,
            truncated,
            before,
            after,
            copied);
    fills.observe(probe, c, s.text(), before, after, copied, named);
    return DataBranches.observe(
        probe, c, s.text(), facts(c, s, t, before, after), before, after, copied, fills, named);
  }

  private StatementTrace facts(Connection c, Sql s, StatementTrace t, State before, State after)
      throws SQLException {
    java.util.Set<String> writes = ReplayFacts.writes(s.text(), before, after);
    Map<String, List<String>> triggers = writes.isEmpty() ? Map.of() : probe.rowTriggers(c, writes);
    StatementTrace enriched = ReplayFacts.enrich(t, before, after, copied, triggers, tablespaces);
    List<StatementTrace.WhereHolds> holds = whereHolds(c, s.text(), writes);
    return holds.isEmpty() ? enriched : enriched.withWhereHolds(holds);
  }

  /**
   * G4: the tables among {@code writes} (existing tables the statement took ROW EXCLUSIVE on) that
   * an UPDATE or DELETE with a WHERE writes every row of, its condition judged with the NOT NULL
   * columns the copy's catalog declares for the table now ({@link EveryRowWhere}). The copy holds
   * no rows, so rows matched cannot be counted here; the catalog's NOT NULL facts are the target's
   * (the schema copy keeps them) plus what the pending migrations before it changed.
   */
  private List<StatementTrace.WhereHolds> whereHolds(
      Connection c, String sql, java.util.Set<String> writes) throws SQLException {
    String first = dev.prodguard.sql.SqlCode.firstWord(sql, SqlSyntax.POSTGRESQL);
    if (writes.isEmpty()
        || !(first.equals("UPDATE") || first.equals("DELETE") || first.equals("WITH"))) {
      return List.of();
    }
    Map<String, java.util.Set<String>> notNull = probe.notNullColumns(c, writes);
    List<StatementTrace.WhereHolds> out = new ArrayList<>();
    for (String table : writes) {
      EveryRowWhere.judge(
              sql, SqlSyntax.POSTGRESQL, table, notNull.getOrDefault(table, java.util.Set.of()))
          .ifPresent(
              j ->
                  out.add(
                      new StatementTrace.WhereHolds(table, j.rule(), j.reason(), j.byCatalog())));
    }
    return out;
  }

  /**
   * The statement as reports show it: from its first code character (a leading comment the engine
   * keeps with it is not glued onto it, so it never reads as commented out). Its line is already
   * that of its first code line.
   */
  private Sql shown(Sql s) {
    String text = s.text();
    int start = SqlCode.codeStart(text, SqlSyntax.POSTGRESQL);
    return new Sql(
        s.line(),
        mask.apply(start < text.length() ? text.substring(start) : text),
        s.label(),
        s.file());
  }

  /**
   * @param concurrently the statement ran outside a transaction block (the server refused it in
   *     one): an index it built was built concurrently
   * @param documented locks the statement takes that {@code after} cannot show (it committed on its
   *     own), from the server's documentation
   * @param truncated the relations a {@code TRUNCATE} empties ({@link StatementProbe#truncated}):
   *     their new files are no rewrite, no scan and no index build; any other relation's new file
   *     is (an {@code ON TRUNCATE} trigger that rewrites another table)
   */
  /**
   * Columns dropped or renamed by the statement, named {@code table.column} (a rename {@code
   * table.old -> table.new}), on tables that exist before and after it (a dropped or new table is
   * its own fact). A column is followed by its attnum, which a rename keeps and a drop retires; a
   * rename or drop that PostgreSQL carries down to partitions and inheritance children is reported
   * on the table the statement named, once.
   */
  static void columnChanges(State before, State after, List<String> dropped, List<String> renamed) {
    Map<Long, Map<Integer, String>> now = new HashMap<>();
    for (StatementProbe.Column c : after.columns()) {
      now.computeIfAbsent(c.table(), k -> new HashMap<>()).put(c.number(), c.name());
    }
    Map<Long, java.util.Set<String>> droppedBy = new HashMap<>();
    Map<Long, java.util.Set<String>> renamedBy = new HashMap<>();
    List<Object[]> facts = new ArrayList<>();
    for (StatementProbe.Column c : before.columns()) {
      Relation a = after.relations().get(c.table());
      if (a == null || !before.relations().containsKey(c.table()) || a.isIndex()) {
        continue;
      }
      String name = now.getOrDefault(c.table(), Map.of()).get(c.number());
      if (name == null) {
        droppedBy.computeIfAbsent(c.table(), k -> new java.util.HashSet<>()).add(c.name());
        facts.add(new Object[] {a, c.name(), null});
      } else if (!name.equals(c.name())) {
        renamedBy
            .computeIfAbsent(c.table(), k -> new java.util.HashSet<>())
            .add(c.name() + " -> " + name);
        facts.add(new Object[] {a, c.name(), name});
      }
    }
    for (Object[] f : facts) {
      Relation a = (Relation) f[0];
      String old = (String) f[1];
      String name = (String) f[2];
      // the same change on its parent: PostgreSQL's recursion, not a statement of its own
      if (a.parent() != 0
          && (name == null
              ? droppedBy.getOrDefault(a.parent(), java.util.Set.of()).contains(old)
              : renamedBy
                  .getOrDefault(a.parent(), java.util.Set.of())
                  .contains(old + " -> " + name))) {
        continue;
      }
      if (name == null) {
        dropped.add(a.name() + "." + old);
      } else {
        renamed.add(a.name() + "." + old + " -> " + a.name() + "." + name);
      }
    }
  }

  static StatementTrace diff(
      String label,
      String file,
      Sql s,
      long millis,
      boolean inTransaction,
      boolean concurrently,
      List<Lock> documented,
      java.util.Set<Long> truncated,
      State before,
      State after,
      Map<Long, String> copied) {
    Map<String, Relation> beforeByName = new HashMap<>();
    before.relations().values().forEach(r -> beforeByName.put(r.name(), r));
    // locks: stronger than what the transaction held on a relation that existed before
    // by identity: a relation renamed by this statement is the one that existed before
    Map<String, Long> afterOids = new HashMap<>();
    after.relations().values().forEach(r -> afterOids.put(r.name(), r.oid()));
    Map<Long, String> held = new HashMap<>();
    for (Lock l : before.locks()) {
      Relation r = beforeByName.get(l.relation());
      if (r != null) {
        held.merge(r.oid(), l.mode(), Replay::stronger);
      }
    }
    Map<String, String> taken = new LinkedHashMap<>();
    for (Lock l : after.locks()) {
      Long oid = afterOids.get(l.relation());
      if (oid == null
          || !before.relations().containsKey(oid)
          || after.relations().get(oid).isIndex()) {
        continue; // an index's lock is judged with its table (ReplayFacts)
      }
      String had = held.get(oid);
      if (had == null || LockModes.strength(l.mode()) > LockModes.strength(had)) {
        taken.merge(l.relation(), l.mode(), Replay::stronger);
      }
    }
    for (Lock l : documented) {
      taken.merge(l.relation(), l.mode(), Replay::stronger);
    }
    List<Lock> locks = new ArrayList<>();
    taken.forEach((rel, mode) -> locks.add(new Lock(rel, mode)));
    List<String> rewritten = new ArrayList<>();
    List<String> scanned = new ArrayList<>();
    List<String> renamed = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    List<StatementTrace.IndexBuilt> built = new ArrayList<>();
    // TRUNCATE gives the tables it empties new, empty files: nothing is copied or read, only its
    // lock is a fact; a trigger it fires may still rewrite another table
    for (Relation b : before.relations().values()) {
      Relation a = after.relations().get(b.oid());
      if (a != null
          && !truncated.contains(b.oid())
          && !b.isIndex()
          && b.fileNode() != 0
          && a.fileNode() != b.fileNode()) {
        rewritten.add(a.name());
      }
    }
    // ALTER TABLE ... TYPE drops a changed column's indexes and creates them again under new oids,
    // by the same names; PostgreSQL 15 on the test server: varchar(10) -> varchar(20) or -> text
    // keeps the index file (same relfilenode), int -> bigint rewrites the table and writes every
    // index anew, a new collation writes the index anew without rewriting the table
    Map<String, Relation> newIndexes = new HashMap<>();
    for (Relation a : after.relations().values()) {
      if (a.isIndex() && !before.relations().containsKey(a.oid())) {
        newIndexes.put(a.name(), a);
      }
    }
    for (Relation b : before.relations().values()) {
      Relation a = after.relations().get(b.oid());
      if (a == null) {
        Relation again = b.isIndex() ? newIndexes.get(b.name()) : null;
        if (again != null && again.table().equals(b.table())) {
          newIndexes.remove(again.name());
          if (again.fileNode() != b.fileNode() && !rewritten.contains(again.table())) {
            built.add(
                new StatementTrace.IndexBuilt(again.name(), again.table(), concurrently, true));
          }
        } else {
          dropped.add(b.name());
        }
        continue;
      }
      if (!a.name().equals(b.name())) {
        renamed.add(b.name() + " -> " + a.name());
      }
      if (b.isIndex()) {
        // the same index written anew (REINDEX, SET TABLESPACE), not as part of its table's rewrite
        if (a.fileNode() != b.fileNode() && !rewritten.contains(a.table())) {
          built.add(new StatementTrace.IndexBuilt(a.name(), a.table(), concurrently, true));
        }
      } else if (!truncated.contains(b.oid())
          && !rewritten.contains(a.name())
          && a.scans() > b.scans()) {
        scanned.add(a.name());
      }
    }
    for (Relation a : newIndexes.values()) {
      built.add(new StatementTrace.IndexBuilt(a.name(), a.table(), concurrently));
    }
    columnChanges(before, after, dropped, renamed);
    // the indexes of the tables a TRUNCATE empties get new, empty files too: no build
    built.removeIf(
        i ->
            before.relations().values().stream()
                .anyMatch(b -> b.name().equals(i.name()) && truncated.contains(b.oid())));
    // an index build reads its table: that scan is the build's, reported with it
    scanned.removeIf(t -> built.stream().anyMatch(i -> i.table().equals(t)));
    List<StatementTrace.ConstraintAdded> added = new ArrayList<>();
    for (Constraint k : after.constraints().values()) {
      if (!before.constraints().containsKey(k.oid())) {
        added.add(new StatementTrace.ConstraintAdded(k.name(), k.table(), k.type(), k.validated()));
      }
    }
    rewritten = partitionedWhole(rewritten, after);
    rewritten.sort(null);
    built.sort(java.util.Comparator.comparing(StatementTrace.IndexBuilt::name));
    scanned.sort(null);
    dropped.sort(null);
    renamed.sort(null);
    Map<String, String> onTarget = new HashMap<>();
    for (String table : StatementTrace.tables(locks, rewritten, scanned, built, added)) {
      Long oid = afterOids.get(table);
      String original = oid == null ? null : copied.get(oid);
      if (original != null) {
        onTarget.put(table, original);
      }
    }
    return new StatementTrace(
        label,
        file,
        s.line(),
        s.text(),
        millis,
        inTransaction,
        locks,
        rewritten,
        scanned,
        built,
        dropped,
        renamed,
        added,
        onTarget);
  }

  /**
   * A statement on a partitioned table rewrites all its partitions at once, under ACCESS EXCLUSIVE
   * on the partitioned table: reported as one rewrite of the partitioned table (sized as the sum of
   * its partitions), not as partitions that each stay under a limit. A partition rewritten by a
   * statement on it alone (its parent not locked ACCESS EXCLUSIVE) stays itself. The same for an
   * inheritance parent whose statement rewrites it and its children ({@code INHERITS}): one rewrite
   * of the parent, sized as its own rows plus its children's; a child rewritten while its parent is
   * not rewritten stays itself.
   */
  private static List<String> partitionedWhole(List<String> rewritten, State after) {
    Map<String, Relation> byName = new HashMap<>();
    after.relations().values().forEach(r -> byName.put(r.name(), r));
    java.util.Set<String> exclusive = new java.util.HashSet<>();
    for (Lock l : after.locks()) {
      if ("AccessExclusiveLock".equals(l.mode())) {
        exclusive.add(l.relation());
      }
    }
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (String name : rewritten) {
      String whole = name;
      Relation r = byName.get(name);
      while (r != null && r.parent() != 0) {
        Relation parent = after.relations().get(r.parent());
        if (parent == null
            || !exclusive.contains(parent.name())
            || !(parent.kind() == 'p'
                || (parent.kind() == 'r' && rewritten.contains(parent.name())))) {
          break;
        }
        whole = parent.name();
        r = parent;
      }
      out.add(whole);
    }
    return new ArrayList<>(out);
  }

  private static String stronger(String a, String b) {
    return LockModes.strength(a) >= LockModes.strength(b) ? a : b;
  }
}
