package dev.prodguard.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * G7: what the sessions of a deploy are waiting for, read from the server's own activity views
 * (PostgreSQL: {@code pg_stat_activity}, {@code pg_blocking_pids}, {@code pg_locks}; MySQL/MariaDB:
 * {@code information_schema.PROCESSLIST}, {@code INNODB_TRX}, {@code INNODB_LOCK_WAITS}), and how
 * to cancel one statement that waits too long. Every call runs on a separate, autocommit connection
 * (the watcher) and takes only short reads, so the watcher itself never holds a transaction open.
 */
public interface SessionWaits {

  /**
   * Whether {@code failure} is the server ending a statement at its own lock wait limit (set on
   * every deploy connection, {@link DatabaseSupport#prepareDeployConnection}): the statement is
   * undone, so a single-statement migration that failed this way left nothing behind.
   */
  default boolean endedAtServerLockLimit(Throwable failure) {
    return false;
  }

  /**
   * One statement of a watched session that waits for other sessions.
   *
   * @param session the waiting session (PostgreSQL backend pid, MySQL connection id)
   * @param statement identifies this very statement execution (PostgreSQL {@code query_start},
   *     MariaDB {@code QUERY_ID}), so a cancel never hits the statement that runs next
   * @param query the start of the waiting statement's text, as the server shows it: a statement of
   *     the deploy's own session, used only to find the migration it belongs to; never printed nor
   *     stored (a resolved placeholder can hold a credential), and left out of {@link #toString}
   * @param waitingFor what it waits for, in the server's terms (lock mode and object, or state)
   * @param blockers the sessions that hold what it waits for; on MySQL/MariaDB without metadata
   *     lock instrumentation, the sessions with an open transaction ({@code certain} false)
   * @param certain whether the server named the blockers itself
   * @param beforeChanges the statement waits for a lock it needs before it changes anything (a
   *     MySQL/MariaDB metadata or table lock), so cancelling it leaves the database as it was
   */
  record Wait(
      String session,
      String statement,
      String query,
      String waitingFor,
      List<Blocker> blockers,
      boolean certain,
      boolean beforeChanges) {
    public Wait {
      blockers = List.copyOf(blockers);
    }

    @Override
    public String toString() {
      return "Wait[session="
          + session
          + ", waitingFor="
          + waitingFor
          + ", blockers="
          + blockers
          + "]";
    }
  }

  /**
   * A session that holds what a watched statement waits for. Another session's statement text is
   * never read: it can hold anything that session's user typed (a password in {@code ALTER ROLE}, a
   * token in a literal), and this goes to CI logs, refusals and the audit trail. What identifies
   * the session is enough to find and end it.
   *
   * @param session its id (PostgreSQL pid, MySQL connection id)
   * @param application PostgreSQL {@code application_name}; MySQL/MariaDB user@host
   * @param user the database user
   * @param state e.g. {@code idle in transaction}, {@code active}, {@code Sleep}, and the relation
   *     it holds a lock on where the server says
   * @param stateFor how long it has been in that state (PostgreSQL {@code now() - state_change},
   *     MySQL/MariaDB {@code PROCESSLIST.TIME}), when the server says
   * @param transactionSince when its open transaction began, when the server says
   */
  record Blocker(
      String session,
      String application,
      String user,
      String state,
      Optional<Duration> stateFor,
      Optional<Instant> transactionSince) {

    /** {@code pid 4711 (application 'psql', user 'app', idle in transaction for 12 s, ...)}. */
    public String describe(String sessionWord) {
      StringBuilder b = new StringBuilder(sessionWord).append(' ').append(session).append(" (");
      if (!application.isBlank()) {
        b.append("application '").append(application).append("', ");
      }
      b.append("user '").append(user).append("', ").append(state);
      stateFor.ifPresent(d -> b.append(" for ").append(Math.max(0, d.toSeconds())).append(" s"));
      transactionSince.ifPresent(t -> b.append(", transaction open since ").append(t));
      return b.append(')').toString();
    }
  }

  /**
   * The other sessions that hold a lock a plain read of this database's tables waits for, read
   * after such a read ended at its lock wait limit (PostgreSQL: {@code AccessExclusiveLock} on a
   * table, from {@code pg_locks}; MySQL/MariaDB without metadata lock instrumentation: every other
   * session with an open transaction). Empty when none is found.
   */
  default List<Blocker> readBlockers(Connection watcher) throws SQLException {
    return List.of();
  }

  /** What the server calls a session in messages: {@code pid} or {@code connection}. */
  String sessionWord();

  /** The statements among {@code sessions} that wait for another session right now. */
  List<Wait> waits(Connection watcher, Collection<String> sessions) throws SQLException;

  /**
   * Cancels the waiting statement if that very statement is still running (the session stays); true
   * when the server accepted the cancel.
   */
  boolean cancel(Connection watcher, Wait wait) throws SQLException;

  /** How the cancel is spelled for this statement, for messages and the audit trail. */
  String cancelSql(Wait wait);

  /**
   * How to end a blocking session by force, for the refusal's way forward; empty when there is no
   * session to end (a prepared transaction).
   */
  Optional<String> terminateSql(Blocker blocker);

  /** Session ids as the server prints them (digits only), or an exception: they go into SQL. */
  static List<String> digitsOnly(Collection<String> sessions) {
    List<String> out = new ArrayList<>();
    for (String s : sessions) {
      if (s == null || !s.matches("[0-9]{1,10}")) {
        throw new IllegalArgumentException("not a session id: " + s);
      }
      out.add(s);
    }
    return out;
  }

  /** A statement or value on one line, for a one-screen message. */
  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").strip();
  }
}
