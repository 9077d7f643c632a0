package dev.prodguard.jdbc;

import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.DatabaseSupport;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * G2 on the application side: wraps any DataSource (a pool, a driver data source) and validates the
 * fingerprint of each new physical connection once, before the caller sees it. A pooled connection
 * seen before costs one identity lookup and no round trip.
 */
public final class GuardedDataSource implements DataSource {
  /** SQLState for a connection refused by prodguard. */
  public static final String SQLSTATE = "08004";

  private static final java.util.List<Class<?>> PHYSICAL_TYPES =
      loadable("org.postgresql.PGConnection", "org.mariadb.jdbc.Connection");

  private final DataSource delegate;
  private final String environment;
  private final String fingerprint;
  private final Map<Object, Boolean> validated = Collections.synchronizedMap(new WeakHashMap<>());

  public GuardedDataSource(DataSource delegate, String environment, String fingerprint) {
    this.delegate = Objects.requireNonNull(delegate);
    this.environment = Objects.requireNonNull(environment);
    this.fingerprint = Objects.requireNonNull(fingerprint);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return check(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return check(delegate.getConnection(username, password));
  }

  private Connection check(Connection c) throws SQLException {
    Object physical = physical(c);
    if (validated.containsKey(physical)) {
      return c;
    }
    try {
      FingerprintCheck.validate(c, DatabaseSupport.of(c), environment, fingerprint);
    } catch (GuardRefusal r) {
      closeQuietly(c);
      throw new SQLException(r.render(), SQLSTATE, r);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
    validated.put(physical, Boolean.TRUE);
    return c;
  }

  /** The driver's own connection under any pool proxy; the proxy itself when unknown. */
  private static Object physical(Connection c) {
    for (Class<?> iface : PHYSICAL_TYPES) {
      try {
        if (c.isWrapperFor(iface)) {
          return c.unwrap(iface);
        }
      } catch (SQLException e) {
        // not this driver; a connection we cannot unwrap is validated on every checkout
      }
    }
    return c;
  }

  private static java.util.List<Class<?>> loadable(String... names) {
    java.util.List<Class<?>> out = new java.util.ArrayList<>();
    for (String name : names) {
      try {
        out.add(Class.forName(name, false, GuardedDataSource.class.getClassLoader()));
      } catch (ClassNotFoundException | LinkageError e) {
        // driver not on the class path
      }
    }
    return java.util.List.copyOf(out);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // the refusal is what matters
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("GuardedDataSource does not expose its delegate");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
