package dev.prodguard.pipeline;

import dev.prodguard.support.DeploySessions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * G8: the session-level advisory lock that allows one deploy at a time per database. The server
 * releases it when the holding connection ends, so a killed deploy never leaves it stuck.
 */
public final class DeployLock {
  private DeployLock() {}

  /** Takes the lock without waiting; false when another session holds it. */
  public static boolean tryAcquire(Connection c, DeploySessions d) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(d.tryDeployLock())) {
      if (!rs.next()) {
        return false;
      }
      Object v = rs.getObject(1);
      return v instanceof Boolean b ? b : v != null && "1".equals(v.toString());
    }
  }

  public static void release(Connection c, DeploySessions d) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(d.releaseDeployLock())) {
      rs.next();
    }
  }

  /** The session holding the lock, empty when it is free. */
  public static Optional<String> holder(Connection c, DeploySessions d) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(d.deployLockHolder())) {
      return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
    }
  }

  public static String sessionId(Connection c, DeploySessions d) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(d.sessionId())) {
      rs.next();
      return rs.getString(1);
    }
  }
}
