package dev.prodguard.pipeline;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * What the steps of one {@code promote} share (G8: the promote holds the deploy lock from before
 * verify until deploy ends). The control connection that took the lock is fingerprint-checked (G2)
 * when opened and stays on that database for the promote, so verify, backup and deploy do their
 * checks and records on it, as a single step does on the connection that takes the lock. The
 * engine's reads (validation and pending set) reuse one checked reading connection instead of
 * opening one per read: it is handed back outside any transaction (a transaction left open is
 * rolled back; a connection that cannot be reset is closed), so it never holds a lock a migration
 * would wait for. It is also the session probe's second connection (G8) and the deploy watchdog's
 * connection. Never used for the connections a deploy hands the engine to migrate: those are
 * opened, prepared and registered for the run ({@link TargetDataSource#deploying}).
 */
final class PromoteSession {
  private final Connection control;
  private final String lockSession;
  private final Reusing reading;
  private final boolean earlyBackupAllowed;

  PromoteSession(
      Connection control, String lockSession, Reusing reading, boolean earlyBackupAllowed) {
    this.control = control;
    this.lockSession = lockSession;
    this.reading = reading;
    this.earlyBackupAllowed = earlyBackupAllowed;
  }

  /**
   * Whether the backup's dump may start beside verify's analysis ({@link EarlyBackup}); not in a
   * fleet rollout ({@link Pipeline#backupInItsStep}).
   */
  boolean earlyBackupAllowed() {
    return earlyBackupAllowed;
  }

  Connection control() {
    return control;
  }

  String lockSession() {
    return lockSession;
  }

  DataSource reading() {
    return reading;
  }

  /** The backup's dump started beside verify's analysis ({@link EarlyBackup}); at most one. */
  private EarlyBackup early;

  synchronized void earlyBackup(EarlyBackup e) {
    if (early != null) {
      early.discard();
    }
    early = e;
  }

  /** The early dump for the backup step to adopt, handed over once. */
  synchronized java.util.Optional<EarlyBackup> takeEarlyBackup() {
    java.util.Optional<EarlyBackup> e = java.util.Optional.ofNullable(early);
    early = null;
    return e;
  }

  /** promote ends: an early dump nobody adopted is stopped and deleted. */
  void discardEarlyBackup() {
    takeEarlyBackup().ifPresent(EarlyBackup::discard);
  }

  /**
   * Connections of {@code source} (checked, G2; for a deploy also prepared and registered for the
   * run when opened), one kept idle between uses. A second connection asked for while the first is
   * in use is a new one (the engine may hold two at once).
   */
  static final class Reusing extends dev.prodguard.db.ConnectionSource implements AutoCloseable {
    private final TargetDataSource source;
    private Connection idle;

    Reusing(TargetDataSource source) {
      this.source = source;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection physical;
      synchronized (this) {
        physical = idle;
        idle = null;
      }
      if (physical == null || physical.isClosed()) {
        physical = source.getConnection();
      }
      return lend(physical);
    }

    private Connection lend(Connection physical) {
      boolean[] closed = {false};
      return (Connection)
          // the driver's class loader, not the JDK's (Connection's, null): Flyway loads the
          // driver's CopyManager through connection.getClass().getClassLoader() for COPY ... FROM
          // STDIN, which failed "Unable to find PostgreSQL CopyManager class" on every deploy
          Proxy.newProxyInstance(
              physical.getClass().getClassLoader(),
              new Class<?>[] {Connection.class},
              (proxy, m, args) -> {
                switch (m.getName()) {
                  case "close" -> {
                    if (!closed[0]) {
                      closed[0] = true;
                      giveBack(physical);
                    }
                    return null;
                  }
                  case "isClosed" -> {
                    return closed[0] || physical.isClosed();
                  }
                  case "equals" -> {
                    return proxy == args[0];
                  }
                  case "hashCode" -> {
                    return System.identityHashCode(proxy);
                  }
                  default -> {
                    if (closed[0]) {
                      throw new SQLException("connection is closed");
                    }
                    try {
                      return m.invoke(physical, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  }
                }
              });
    }

    /** Kept for the next read only when it is outside any transaction and nothing is kept yet. */
    private void giveBack(Connection physical) {
      try {
        if (physical.isClosed()) {
          return;
        }
        if (!physical.getAutoCommit()) {
          physical.rollback();
          physical.setAutoCommit(true);
        }
        synchronized (this) {
          if (idle == null) {
            idle = physical;
            return;
          }
        }
        physical.close();
      } catch (SQLException e) {
        try {
          physical.close();
        } catch (SQLException ignored) {
          // it is gone either way
        }
      }
    }

    /** Closes the idle connection (one in use is closed when it is given back after this). */
    @Override
    public void close() {
      closeIdle();
    }

    synchronized void closeIdle() {
      if (idle != null) {
        try {
          idle.close();
        } catch (SQLException e) {
          // closing only
        }
        idle = null;
      }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      return source.getConnection(username, password);
    }
  }
}
