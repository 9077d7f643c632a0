package dev.prodguard.sync;

import dev.prodguard.db.Guarantee;
import dev.prodguard.support.sync.SyncDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Writes the changes of one table in JDBC batches inside the caller's transaction. Every statement
 * must touch exactly one row. With {@code verify}, each row is first read under lock and must hold
 * exactly the change's before-image (absent for an insert): how a revert proves nobody changed it.
 */
final class ChangeWriter implements AutoCloseable {
  private static final int BATCH = 500;

  private final Connection c;
  private final SyncDialect d;
  private final TableShape shape;
  private final SyncSql sql;
  private final boolean verify;
  private final String environment;
  private final String action;
  private PreparedStatement insert;
  private PreparedStatement update;
  private PreparedStatement delete;
  private PreparedStatement select;
  private PreparedStatement pendingStatement;
  private int pending;

  ChangeWriter(
      Connection c,
      SyncDialect d,
      TableShape shape,
      String environment,
      String action,
      boolean verify) {
    this.c = c;
    this.d = d;
    this.shape = shape;
    this.sql = new SyncSql(d, shape);
    this.environment = environment;
    this.action = action;
    this.verify = verify;
  }

  void write(Change ch) throws SQLException {
    if (verify) {
      verify(ch);
    }
    PreparedStatement ps = statement(ch.op());
    if (pendingStatement != null && pendingStatement != ps) {
      flush();
    }
    switch (ch.op()) {
      case INSERT -> sql.bindValues(ps, sql.bindKey(ps, 1, ch.key()), ch.after());
      case UPDATE -> sql.bindKey(ps, sql.bindValues(ps, 1, ch.after()), ch.key());
      case DELETE -> sql.bindKey(ps, 1, ch.key());
    }
    ps.addBatch();
    pendingStatement = ps;
    if (++pending >= BATCH) {
      flush();
    }
  }

  void flush() throws SQLException {
    if (pending == 0) {
      return;
    }
    int[] counts = pendingStatement.executeBatch();
    pending = 0;
    for (int n : counts) {
      if (n != 1 && n != Statement.SUCCESS_NO_INFO) {
        throw new SyncRefusal(
            Guarantee.G4,
            action,
            "a write to '"
                + environment
                + "'."
                + shape.table()
                + " touched "
                + n
                + " rows instead of one: the table changed under the sync",
            "run sync again; nothing was written (the transaction was rolled back)",
            "aborted");
      }
    }
  }

  private void verify(Change ch) throws SQLException {
    if (select == null) {
      select = c.prepareStatement(sql.selectByKey());
    }
    sql.bindKey(select, 1, ch.key());
    Object[] current = null;
    try (ResultSet rs = select.executeQuery()) {
      if (rs.next()) {
        current = sql.readValues(rs);
      }
    }
    boolean ok =
        ch.before() == null
            ? current == null
            : current != null && Values.sameRow(current, ch.before());
    if (!ok) {
      throw new SyncRefusal(
          Guarantee.G4,
          action,
          "row "
              + Keys.show(shape, ch.key())
              + " of '"
              + environment
              + "'."
              + shape.table()
              + " changed after the sync: expected "
              + describe(ch.before())
              + ", found "
              + describe(current),
          "restore that row by hand (or from the sync's backup); nothing was written",
          "refused");
    }
  }

  /** Reads the row with {@code key} in {@code shape}'s columns (it must exist). */
  Object[] read(TableShape shape, String[] key) throws SQLException {
    SyncSql s = new SyncSql(d, shape);
    try (PreparedStatement ps = c.prepareStatement(s.selectByKey())) {
      s.bindKey(ps, 1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException(
              "row " + Keys.show(shape, key) + " of " + shape.table() + " vanished under lock");
        }
        return s.readValues(rs);
      }
    }
  }

  private String describe(Object[] row) {
    if (row == null) {
      return "no row";
    }
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < row.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(shape.columns().get(i).name()).append('=').append(Values.show(row[i]));
    }
    return sb.append(')').toString();
  }

  private PreparedStatement statement(Change.Op op) throws SQLException {
    return switch (op) {
      case INSERT -> insert != null ? insert : (insert = c.prepareStatement(sql.insert()));
      case UPDATE -> update != null ? update : (update = c.prepareStatement(sql.update()));
      case DELETE -> delete != null ? delete : (delete = c.prepareStatement(sql.delete()));
    };
  }

  @Override
  public void close() throws SQLException {
    for (PreparedStatement ps : new PreparedStatement[] {insert, update, delete, select}) {
      if (ps != null) {
        ps.close();
      }
    }
  }
}
