package dev.prodguard.pipeline;

import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * G6: the registrar that records every connection a deploy hands to Flyway in {@code
 * prodguard_session}. Registration goes through {@code prodguard_register_session(run, token)},
 * which accepts the plain one-time token only when its SHA-256 is the one stored on a run that is
 * {@code deploying}; only the deploy process knows that token. {@code prodguard_assert_deploy()}
 * and the DDL guard then let exactly these sessions through, and only while the run is deploying
 * and its deploy session holds the lock. A session variable could not carry this: Flyway resets
 * MySQL user variables on its connections.
 */
public final class SessionApprovals implements SessionRegistrar {
  public static final SessionApprovals INSTANCE = new SessionApprovals();

  private SessionApprovals() {}

  /** Drops registrations no check would honour any more (runs that are no longer deploying). */
  @Override
  public void begin(Connection control, Approval approval) throws SQLException {
    try (Statement st = control.createStatement()) {
      st.executeUpdate(
          "DELETE FROM prodguard_session WHERE run_id NOT IN"
              + " (SELECT id FROM prodguard_run WHERE status = 'deploying')");
    }
  }

  @Override
  public void register(Connection connection, String sessionId, Approval approval)
      throws SQLException {
    DatabaseSupport d = DatabaseSupport.of(connection);
    try (PreparedStatement ps = connection.prepareStatement(d.registerSession())) {
      ps.setString(1, approval.runId());
      ps.setString(2, approval.token());
      if (ps.execute()) {
        try (ResultSet rs = ps.getResultSet()) {
          while (rs.next()) {
            // a void result
          }
        }
      }
    }
    if (!connection.getAutoCommit()) {
      connection.commit();
    }
  }

  /** The deploy is over: its registrations go (the checks ignore them anyway once it ended). */
  @Override
  public void end(Connection control, Approval approval) throws SQLException {
    try (PreparedStatement ps =
        control.prepareStatement("DELETE FROM prodguard_session WHERE run_id = ?")) {
      ps.setString(1, approval.runId());
      ps.executeUpdate();
    }
  }
}
