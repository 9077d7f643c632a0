package dev.prodguard.trace;

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
  /** A statement the engine will send, with its line. */
  record Sql(int line, String text) {}

  /**
   * A statement the server refused on the copy; {@code done}: the statements of its migration that
   * ran before it, with what they did (the deploy runs them too before it fails).
   */
  static final class Failed extends Exception {
    final Sql statement;
    final List<StatementTrace> done;

    Failed(Sql statement, SQLException cause, List<StatementTrace> done) {
      super(cause.getMessage(), cause);
      this.statement = statement;
      this.done = List.copyOf(done);
    }
  }

  private final StatementProbe probe;
  private final UnaryOperator<String> mask;

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
      c.setAutoCommit(true);
      return run(c, label, file, statements, false);
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
      return run(c, label, file, statements, false);
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
    for (Sql s : statements) {
      long t0 = System.nanoTime();
      try (Statement st = c.createStatement()) {
        st.execute(s.text());
      } catch (SQLException e) {
        if (inTransaction && probe.outsideTransactionOnly(e)) {
          throw new OutsideTransaction();
        }
        throw new Failed(s, e, out);
      }
      long millis = (System.nanoTime() - t0) / 1_000_000;
      State after = probe.state(c);
      out.add(
          diff(
              label,
              file,
              new Sql(s.line(), mask.apply(s.text())),
              millis,
              inTransaction,
              before,
              after));
      before = after;
    }
    return out;
  }

  static StatementTrace diff(
      String label,
      String file,
      Sql s,
      long millis,
      boolean inTransaction,
      State before,
      State after) {
    Map<String, Relation> beforeByName = new HashMap<>();
    before.relations().values().forEach(r -> beforeByName.put(r.name(), r));
    // locks: stronger than what the transaction held on a relation that existed before
    Map<String, String> held = new HashMap<>();
    for (Lock l : before.locks()) {
      held.merge(l.relation(), l.mode(), Replay::stronger);
    }
    Map<String, String> taken = new LinkedHashMap<>();
    for (Lock l : after.locks()) {
      if (!beforeByName.containsKey(l.relation())) {
        continue;
      }
      String had = held.get(l.relation());
      if (had == null || LockModes.strength(l.mode()) > LockModes.strength(had)) {
        taken.merge(l.relation(), l.mode(), Replay::stronger);
      }
    }
    List<Lock> locks = new ArrayList<>();
    taken.forEach((rel, mode) -> locks.add(new Lock(rel, mode)));
    List<String> rewritten = new ArrayList<>();
    List<String> scanned = new ArrayList<>();
    List<String> renamed = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    List<StatementTrace.IndexBuilt> built = new ArrayList<>();
    for (Relation b : before.relations().values()) {
      Relation a = after.relations().get(b.oid());
      if (a != null && !b.isIndex() && b.fileNode() != 0 && a.fileNode() != b.fileNode()) {
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
                new StatementTrace.IndexBuilt(again.name(), again.table(), !inTransaction, true));
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
          built.add(new StatementTrace.IndexBuilt(a.name(), a.table(), !inTransaction, true));
        }
      } else if (!rewritten.contains(a.name()) && a.scans() > b.scans()) {
        scanned.add(a.name());
      }
    }
    for (Relation a : newIndexes.values()) {
      built.add(new StatementTrace.IndexBuilt(a.name(), a.table(), !inTransaction));
    }
    // an index build reads its table: that scan is the build's, reported with it
    scanned.removeIf(t -> built.stream().anyMatch(i -> i.table().equals(t)));
    List<StatementTrace.ConstraintAdded> added = new ArrayList<>();
    for (Constraint k : after.constraints().values()) {
      if (!before.constraints().containsKey(k.oid())) {
        added.add(new StatementTrace.ConstraintAdded(k.name(), k.table(), k.type(), k.validated()));
      }
    }
    rewritten.sort(null);
    built.sort(java.util.Comparator.comparing(StatementTrace.IndexBuilt::name));
    scanned.sort(null);
    dropped.sort(null);
    renamed.sort(null);
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
        added);
  }

  private static String stronger(String a, String b) {
    return LockModes.strength(a) >= LockModes.strength(b) ? a : b;
  }
}
