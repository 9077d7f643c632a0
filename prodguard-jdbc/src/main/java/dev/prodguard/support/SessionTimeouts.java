package dev.prodguard.support;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A facet of {@link DatabaseSupport}: the bounds prodguard puts on the sessions it hands the
 * migration tool during a deploy ({@code pipeline.lock-timeout}, {@code
 * pipeline.statement-timeout}), and how the server reports that a statement gave up waiting for a
 * lock or ran too long. PostgreSQL: {@code lock_timeout}, {@code statement_timeout}, SQLSTATE 55P03
 * and 57014 (statement timeout). MySQL/MariaDB: {@code lock_wait_timeout} and {@code
 * innodb_lock_wait_timeout} (whole seconds), {@code max_statement_time}, error 1205 (lock), error
 * 1969 (statement time).
 */
public interface SessionTimeouts {

  /**
   * The statements that set the bounds on a deploy session, run after {@link
   * DeploySessions#prepareDeployConnection}; nothing for a bound that is not given (the server's
   * default, or the backstop prodguard already set).
   */
  List<String> sessionTimeouts(Optional<Duration> lockTimeout, Optional<Duration> statementTimeout);

  /**
   * The statements that put the session's current lock wait limits back, read from {@code c} before
   * prodguard bounds a read of its own ({@code pipeline.lock-wait-timeout}).
   *
   * @throws SQLException when the settings cannot be read
   */
  List<String> lockTimeoutRestore(java.sql.Connection c) throws SQLException;

  /** True when {@code failure} (or a cause) is a statement that gave up waiting for a lock. */
  default boolean lockTimedOut(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && isLockTimeout(s)) {
        return true;
      }
    }
    return false;
  }

  /** The server's code for "gave up waiting for a lock". */
  boolean isLockTimeout(SQLException e);

  /**
   * True when {@code failure} (or a cause) is a statement the server ended because it ran longer
   * than the session's statement bound ({@code pipeline.statement-timeout}): the session and its
   * connection stay usable, nothing was lost.
   */
  default boolean statementTimedOut(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && isStatementTimeout(s)) {
        return true;
      }
    }
    return false;
  }

  /** The server's code for "the statement ran longer than the session's statement bound". */
  boolean isStatementTimeout(SQLException e);
}
