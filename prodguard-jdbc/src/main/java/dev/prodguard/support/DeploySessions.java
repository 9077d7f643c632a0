package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A facet of {@link DatabaseSupport}: one deploy at a time (G8) and deploys that wait (G7): the
 * deploy lock, session ids, the deploy's connections, their waits and what a failed statement
 * leaves. Implemented per database in {@code support.postgresql} and {@code support.mariadb}.
 */
public interface DeploySessions {

  /** Returns one row, one column: true/1 when this session now holds the deploy lock. */
  String tryDeployLock();

  /** Releases the deploy lock held by this session. */
  String releaseDeployLock();

  /**
   * Returns the session id (as text) of whoever holds the deploy lock in this database, or no row /
   * NULL when it is free. Session ids are those of {@link #sessionId()}.
   */
  String deployLockHolder();

  /** Returns this session's id as text (PostgreSQL backend pid, MySQL connection id). */
  String sessionId();

  /**
   * G8: whether something between prodguard and the server (a pooler in transaction or statement
   * mode) breaks the session guarantees the deploy lock and the approved deploy sessions rest on.
   * The probe, three times: {@code a} (autocommit, not in a transaction) reads its session id;
   * {@code b} opens a transaction and reads its id; {@code a} reads its id again; {@code b} rolls
   * back. On a direct or session-pooled connection {@code a}'s id never changes and {@code b}'s
   * differs from it. A pooler that returns a server session to its pool after each transaction
   * hands {@code b} the one {@code a} just released, or moves {@code a} to another.
   *
   * @return what was seen, with the poolers that do it; empty when both keep their sessions
   */
  default java.util.Optional<String> sessionNotKept(Connection a, Connection b)
      throws SQLException {
    boolean bAuto = b.getAutoCommit();
    try {
      for (int i = 0; i < 3; i++) {
        String a1 = probeId(a);
        b.setAutoCommit(false);
        String b1 = probeId(b);
        String a2 = probeId(a);
        b.rollback();
        b.setAutoCommit(true);
        if (a1.equals(b1) || !a1.equals(a2)) {
          return java.util.Optional.of(
              (a1.equals(b1)
                      ? "two connections of prodguard were served by the same server session ("
                          + a1
                          + ")"
                      : "one connection of prodguard was served by server session "
                          + a1
                          + ", then by "
                          + a2)
                  + ": a pooler in transaction or statement mode ("
                  + transactionPoolers()
                  + ") sits between prodguard and the server");
        }
      }
      return java.util.Optional.empty();
    } finally {
      if (!b.getAutoCommit()) {
        b.rollback();
      }
      b.setAutoCommit(bAuto);
    }
  }

  /** Poolers known to move sessions between transactions, for the refusal. */
  default String transactionPoolers() {
    return "a connection pooler or proxy with connection multiplexing";
  }

  private String probeId(Connection c) throws SQLException {
    try (java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sessionId())) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * Prepares a connection that a deploy hands to the migration tool, e.g. so that the server aborts
   * the migration's transaction as soon as the deploy process dies, and so that a statement that
   * waits for a lock ends on the server's own timer a little after {@code lockWaitBound} ({@code
   * pipeline.lock-wait-timeout}) even when the deploy's watchdog cannot see the wait.
   */
  void prepareDeployConnection(Connection connection, java.time.Duration lockWaitBound)
      throws SQLException;

  /**
   * One row, one count: marks run {@code ?} failed (failure text {@code ?}, time {@code ?}) when it
   * is deploying and its deploy session no longer holds the deploy lock, checked and written by a
   * routine of prodguard's that runs as their owner, so that an account that may not write
   * prodguard_run (the environment's url, for status) can still reap a killed deploy.
   */
  String markStaleCall();

  /** What the deploy's sessions wait for, and how to cancel a statement that waits too long. */
  SessionWaits sessionWaits();

  /** Invalid indexes left by failed concurrent index builds; empty where the server has none. */
  java.util.Optional<InvalidIndexes> invalidIndexes();

  /**
   * The server-side lock wait limit set by {@link #prepareDeployConnection}: the watchdog's bound
   * plus {@link #BACKSTOP_MARGIN_SECONDS}, so that the watchdog, which names the blocker, normally
   * ends a wait first.
   */
  static long backstopSeconds(java.time.Duration lockWaitBound) {
    long bound = (lockWaitBound.toMillis() + 999) / 1000;
    return Math.max(1, bound) + BACKSTOP_MARGIN_SECONDS;
  }

  /** Seconds the server's own lock wait limit lies beyond {@code pipeline.lock-wait-timeout}. */
  long BACKSTOP_MARGIN_SECONDS = 5;
}
