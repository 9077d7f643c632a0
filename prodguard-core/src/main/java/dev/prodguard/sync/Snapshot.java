package dev.prodguard.sync;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A read-only, repeatable-read transaction: every table of a plan is read as of one moment, and the
 * source is never written. Closing ends it and restores the connection's settings.
 */
final class Snapshot implements AutoCloseable {
  private final Connection c;
  private final int isolation;

  private Snapshot(Connection c) throws SQLException {
    this.c = c;
    this.isolation = c.getTransactionIsolation();
    c.setReadOnly(true);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    c.setAutoCommit(false);
  }

  static Snapshot begin(Connection c) throws SQLException {
    return new Snapshot(c);
  }

  @Override
  public void close() throws SQLException {
    try {
      c.rollback();
    } finally {
      c.setAutoCommit(true);
      c.setReadOnly(false);
      c.setTransactionIsolation(isolation);
    }
  }
}
