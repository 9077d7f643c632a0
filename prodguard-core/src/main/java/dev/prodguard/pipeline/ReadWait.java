package dev.prodguard.pipeline;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.environment.Target;
import dev.prodguard.support.SessionWaits;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * G7: a read before the deploy (the history, the pending set, validation: {@code status}, {@code
 * verify}, the first steps of {@code promote} and of each target of {@code promote --fleet}) that
 * waited for another session's lock longer than {@code pipeline.lock-wait-timeout}. The reading
 * sessions carry that bound ({@link TargetDataSource#reading}); this turns the server's timeout
 * into a one-screen refusal naming the sessions that hold the lock, as the deploy's own lock waits
 * do. Nothing was changed: the statement that waited only read.
 */
public final class ReadWait {
  private ReadWait() {}

  /**
   * {@code e} as the refusal when a lock wait limit of the server ended it, else {@code e} itself.
   */
  static RuntimeException translate(Target target, String what, RuntimeException e) {
    if (e instanceof GuardRefusal) {
      return e;
    }
    Optional<SQLException> timeout = lockTimeout(target, e);
    if (timeout.isEmpty()) {
      return e;
    }
    return refusal(target, what, "the migration history", e);
  }

  /** A read on a connection of prodguard's own (the schema for drift, the run store). */
  public interface Read<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code read} on {@code c} with the server's lock wait limit set to {@code
   * pipeline.lock-wait-timeout} for its duration (the connection's own setting restored after), and
   * a lock wait that reached it as the refusal.
   */
  public static <T> T bounded(
      Target target, Connection c, String what, String reading, Read<T> read) throws SQLException {
    List<String> restore = target.dialect().lockTimeoutRestore(c);
    try (java.sql.Statement st = c.createStatement()) {
      for (String sql :
          target
              .dialect()
              .sessionTimeouts(
                  Optional.of(target.config().pipeline().lockWaitTimeout()), Optional.empty())) {
        st.execute(sql);
      }
    }
    try {
      return read.run();
    } catch (GuardRefusal r) {
      throw r;
    } catch (SQLException | RuntimeException e) {
      if (lockTimeout(target, e).isPresent()) {
        throw refusal(target, what, reading, e);
      }
      throw e;
    } finally {
      try (java.sql.Statement st = c.createStatement()) {
        for (String sql : restore) {
          st.execute(sql);
        }
      } catch (SQLException ignored) {
        // an aborted transaction refuses it; the connection's transaction ends with the command
      }
    }
  }

  private static Optional<SQLException> lockTimeout(Target target, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        for (SQLException n = s; n != null; n = n.getNextException()) {
          if (target.dialect().isLockTimeout(n)) {
            return Optional.of(n);
          }
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * The refusal for a read of {@code reading} (a client tool's, say) that gave up waiting for a
   * lock after {@code pipeline.lock-wait-timeout}: the sessions holding locks named, nothing
   * changed.
   */
  public static GuardRefusal lockWaitRefusal(
      Target target, String what, String reading, Exception e) {
    return refusal(target, what, reading, e);
  }

  private static GuardRefusal refusal(Target target, String what, String reading, Exception e) {
    SessionWaits waits = target.dialect().sessionWaits();
    List<SessionWaits.Blocker> blockers;
    try (Connection c = target.connect()) {
      blockers = waits.readBlockers(c);
    } catch (SQLException | RuntimeException unreadable) {
      blockers = List.of();
    }
    String env = target.name();
    String bound = DeployWatchdog.seconds(target.config().pipeline().lockWaitTimeout());
    String held =
        blockers.isEmpty()
            ? "another session holds a lock on it (none found holding it any more)"
            : "held by "
                + String.join(
                    "; ", blockers.stream().map(b -> b.describe(waits.sessionWord())).toList());
    String why =
        "reading "
            + reading
            + " of '"
            + env
            + "' waited longer than pipeline.lock-wait-timeout ("
            + bound
            + ") for a lock: "
            + held
            + ". Nothing was changed.";
    String unblock =
        blockers.isEmpty()
            ? "find and end the session that holds the lock"
            : "let that session finish or end its transaction"
                + waits
                    .terminateSql(blockers.get(0))
                    .map(t -> " (if it is stuck: " + t + ")")
                    .orElse("");
    return new GuardRefusal(
        Guarantee.G7,
        what,
        why,
        unblock
            + ", then run the command again. Raise pipeline.lock-wait-timeout only if such a wait"
            + " is expected",
        e);
  }
}
