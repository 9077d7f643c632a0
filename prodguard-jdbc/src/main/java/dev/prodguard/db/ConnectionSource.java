package dev.prodguard.db;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that only hands out connections: no log writer, no login timeout of its own
 * (the URL's connect timeout applies), no parent logger, a wrapper only of itself. prodguard's
 * internal data sources (the deploy's, a promote's reused connection, trace's single connection)
 * extend it and implement {@link #getConnection()} and, where credentials may be given, {@link
 * #getConnection(String, String)} (refused here).
 */
public abstract class ConnectionSource implements DataSource {
  @Override
  public java.sql.Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException(
        "prodguard hands out connections only with the environment's own credentials");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
