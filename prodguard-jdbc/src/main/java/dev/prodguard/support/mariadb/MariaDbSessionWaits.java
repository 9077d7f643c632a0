package dev.prodguard.support.mariadb;

import dev.prodguard.support.SessionWaits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * MySQL/MariaDB: a statement waits when its {@code PROCESSLIST} state is one of the server's lock
 * waits ({@code Waiting for table metadata lock}, {@code Waiting for table level lock}, ...) or its
 * InnoDB transaction is in {@code LOCK WAIT}. InnoDB names the holder of a row lock ({@code
 * INNODB_LOCK_WAITS}); for a metadata lock the server names nobody unless the {@code
 * metadata_lock_info} plugin is installed, so the sessions with an open transaction are listed as
 * the likely holders. The cancel is {@code KILL QUERY ID}, which hits only that one statement.
 */
final class MariaDbSessionWaits implements SessionWaits {
  static final MariaDbSessionWaits INSTANCE = new MariaDbSessionWaits();

  private MariaDbSessionWaits() {}

  /**
   * ER_LOCK_WAIT_TIMEOUT (1205), for metadata locks ({@code lock_wait_timeout}) and row locks
   * ({@code innodb_lock_wait_timeout}) alike: the statement is rolled back (DDL is atomic since
   * MariaDB 10.6), its transaction stays for the client to end.
   */
  @Override
  public boolean endedAtServerLockLimit(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException e && e.getErrorCode() == 1205) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String sessionWord() {
    return "connection";
  }

  @Override
  public List<Wait> waits(Connection watcher, Collection<String> sessions) throws SQLException {
    List<String> ids = SessionWaits.digitsOnly(sessions);
    if (ids.isEmpty()) {
      return List.of();
    }
    List<Wait> out = new ArrayList<>();
    try (PreparedStatement ps =
        watcher.prepareStatement(
            "SELECT CAST(p.ID AS CHAR), CAST(p.QUERY_ID AS CHAR), LEFT(COALESCE(p.INFO, ''), 300),"
                + " COALESCE(p.STATE, ''), t.trx_state, CAST(t.trx_id AS CHAR)"
                + " FROM information_schema.PROCESSLIST p"
                + " LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID"
                + " WHERE p.ID IN ("
                + String.join(", ", ids)
                + ") AND p.COMMAND <> 'Sleep'"
                + " AND (p.STATE LIKE 'Waiting for%' OR t.trx_state = 'LOCK WAIT')")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1);
          String state = rs.getString(4);
          boolean rowLock = "LOCK WAIT".equals(rs.getString(5));
          String trx = rs.getString(6);
          List<Blocker> blockers =
              rowLock ? rowLockHolders(watcher, trx) : openTransactions(watcher, id);
          out.add(
              new Wait(
                  id,
                  rs.getString(2),
                  SessionWaits.oneLine(rs.getString(3)),
                  rowLock ? "a row lock (InnoDB LOCK WAIT)" : state,
                  blockers,
                  rowLock,
                  !rowLock));
        }
      }
    }
    return out;
  }

  private static List<Blocker> rowLockHolders(Connection c, String requestingTrx)
      throws SQLException {
    return blockers(
        c,
        "FROM information_schema.INNODB_LOCK_WAITS w"
            + " JOIN information_schema.INNODB_TRX t ON t.trx_id = w.blocking_trx_id"
            + " JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id"
            + " WHERE w.requesting_trx_id = ?",
        requestingTrx);
  }

  /** Without metadata lock instrumentation: every other session with an open transaction. */
  private static List<Blocker> openTransactions(Connection c, String waiting) throws SQLException {
    return blockers(
        c,
        "FROM information_schema.INNODB_TRX t"
            + " JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id"
            + " WHERE p.ID <> ?",
        waiting);
  }

  /** Without metadata lock instrumentation: every other session with an open transaction. */
  @Override
  public List<Blocker> readBlockers(Connection watcher) throws SQLException {
    return blockers(
        watcher,
        "FROM information_schema.INNODB_TRX t"
            + " JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id"
            + " WHERE p.ID <> CONNECTION_ID() AND ? IS NOT NULL",
        "read");
  }

  private static List<Blocker> blockers(Connection c, String fromWhere, String param)
      throws SQLException {
    List<Blocker> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT DISTINCT CAST(p.ID AS CHAR), p.USER, p.HOST, p.COMMAND, COALESCE(p.STATE, ''),"
                + " p.TIME, t.trx_started "
                + fromWhere
                + " ORDER BY t.trx_started")) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String command = rs.getString(4);
          String state =
              "Sleep".equals(command)
                  ? "idle in transaction (Sleep " + rs.getLong(6) + " s)"
                  : command + (rs.getString(5).isBlank() ? "" : ", " + rs.getString(5));
          Timestamp since = rs.getTimestamp(7);
          out.add(
              new Blocker(
                  rs.getString(1),
                  "",
                  rs.getString(2) + "@" + rs.getString(3),
                  state,
                  "Sleep".equals(command)
                      ? Optional.empty() // already in the state's own words
                      : Optional.of(Duration.ofSeconds(rs.getLong(6))),
                  Optional.ofNullable(since).map(Timestamp::toInstant)));
        }
      }
    }
    return out;
  }

  @Override
  public boolean cancel(Connection watcher, Wait wait) throws SQLException {
    if (!wait.statement().matches("[0-9]{1,20}")) {
      return false;
    }
    try (PreparedStatement ps = watcher.prepareStatement(cancelSql(wait))) {
      ps.execute();
      return true;
    } catch (SQLException e) {
      // 1957 (ER_NO_SUCH_QUERY) / 1094 (ER_NO_SUCH_THREAD): the statement already ended
      if (e.getErrorCode() == 1957 || e.getErrorCode() == 1094) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public String cancelSql(Wait wait) {
    return "KILL QUERY ID " + wait.statement();
  }

  @Override
  public Optional<String> terminateSql(Blocker blocker) {
    return Optional.of("KILL " + blocker.session());
  }
}
