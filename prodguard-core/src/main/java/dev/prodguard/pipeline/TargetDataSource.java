package dev.prodguard.pipeline;

import dev.prodguard.config.ProdguardConfig;
import dev.prodguard.environment.Target;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The only way the migration tool reaches the target: every connection is opened by prodguard,
 * fingerprint-checked (G2), and, during a deploy, prepared and registered for the run before the
 * tool sees it.
 */
public final class TargetDataSource extends dev.prodguard.db.ConnectionSource {
  private final Target target;
  private final Optional<SessionRegistrar.Approval> approval;
  private final SessionRegistrar registrar;
  private final Duration lockWaitBound;
  private final ProdguardConfig.MigrationSessions bounds;
  private final List<String> sessions = Collections.synchronizedList(new ArrayList<>());

  private TargetDataSource(
      Target target,
      Optional<SessionRegistrar.Approval> approval,
      SessionRegistrar registrar,
      Duration lockWaitBound,
      ProdguardConfig.MigrationSessions bounds) {
    this.target = target;
    this.approval = approval;
    this.registrar = registrar;
    this.lockWaitBound = lockWaitBound;
    this.bounds = bounds;
  }

  /**
   * Checked connections for reading (pending set, validation, the history before a deploy): each
   * session waits for a lock at most {@code pipeline.lock-wait-timeout} (PostgreSQL {@code
   * lock_timeout}; MySQL/MariaDB {@code lock_wait_timeout}), so a lock on the history table held by
   * another session ends the read ({@link ReadWait}) instead of holding the command without bound.
   */
  public static TargetDataSource reading(Target target) {
    return new TargetDataSource(
        target,
        Optional.empty(),
        SessionRegistrar.NONE,
        Duration.ZERO,
        new ProdguardConfig.MigrationSessions(
            Optional.of(target.config().pipeline().lockWaitTimeout()), Optional.empty(), 0));
  }

  /**
   * Checked, prepared and registered connections for a deploy; their lock waits end on the server a
   * little after {@code lockWaitBound} even where the watchdog cannot see them.
   */
  public static TargetDataSource deploying(
      Target target,
      SessionRegistrar.Approval approval,
      SessionRegistrar registrar,
      Duration lockWaitBound) {
    return deploying(
        target, approval, registrar, lockWaitBound, ProdguardConfig.MigrationSessions.NONE);
  }

  /**
   * {@link #deploying(Target, SessionRegistrar.Approval, SessionRegistrar, Duration)}, each session
   * also bounded by {@code pipeline.lock-timeout} and {@code pipeline.statement-timeout} ({@link
   * dev.prodguard.support.SessionTimeouts}).
   */
  public static TargetDataSource deploying(
      Target target,
      SessionRegistrar.Approval approval,
      SessionRegistrar registrar,
      Duration lockWaitBound,
      ProdguardConfig.MigrationSessions bounds) {
    return new TargetDataSource(target, Optional.of(approval), registrar, lockWaitBound, bounds);
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection c = target.connect();
    try {
      if (approval.isPresent()) {
        DatabaseSupport d = target.dialect();
        d.prepareDeployConnection(c, lockWaitBound);
        List<String> limits = d.sessionTimeouts(bounds.lockTimeout(), bounds.statementTimeout());
        if (!limits.isEmpty()) {
          try (java.sql.Statement st = c.createStatement()) {
            for (String sql : limits) {
              st.execute(sql);
            }
          }
        }
        String session = DeployLock.sessionId(c, d);
        registrar.register(c, session, approval.get());
        sessions.add(session);
      } else {
        List<String> limits =
            target.dialect().sessionTimeouts(bounds.lockTimeout(), bounds.statementTimeout());
        try (java.sql.Statement st = c.createStatement()) {
          for (String sql : limits) {
            st.execute(sql);
          }
        }
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** {@code pipeline.lock-timeout} as set on each session handed out, if any. */
  public Optional<java.time.Duration> lockTimeout() {
    return approval.isPresent() ? bounds.lockTimeout() : Optional.empty();
  }

  /** Server session ids of the connections handed out, for the receipt. */
  public List<String> sessions() {
    synchronized (sessions) {
      return List.copyOf(sessions);
    }
  }
}
