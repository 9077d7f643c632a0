package dev.prodguard.trace;

import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.support.DatabaseSupport;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * A throw-away database on the scratch server ({@code prodguard_trace_<random>}), dropped on {@link
 * #close()}, and by a JVM shutdown hook if the process is interrupted (Ctrl-C) before that. The
 * scratch server never is the target: only prodguard creates and drops databases there.
 */
final class ScratchDatabase implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DatabaseUrl server;
  private final DatabaseSupport d;
  private final String name;
  private final Thread hook;
  private boolean dropped;

  private ScratchDatabase(DatabaseUrl server, DatabaseSupport d, String name) {
    this.server = server;
    this.d = d;
    this.name = name;
    this.hook = new Thread(this::dropQuietly, "prodguard-trace-scratch-drop");
  }

  /** Creates the database on {@code server} (its URL names a database to connect to for that). */
  static ScratchDatabase create(DatabaseUrl server, DatabaseSupport d) throws SQLException {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    ScratchDatabase s =
        new ScratchDatabase(server, d, "prodguard_trace_" + HexFormat.of().formatHex(b));
    try (Connection c = connect(server, d);
        Statement st = c.createStatement()) {
      st.execute(d.dumpTool().createDatabase(s.name));
    }
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  String name() {
    return name;
  }

  DatabaseUrl url() {
    return server.withDatabase(name);
  }

  Connection connect() throws SQLException {
    return connect(url(), d);
  }

  static Connection connect(DatabaseUrl url, DatabaseSupport d) throws SQLException {
    Connection c = d.driver().connect(url.jdbcUrl(), url.connectionProperties());
    if (c == null) {
      throw new SQLException("the JDBC driver did not accept " + url.jdbcUrl());
    }
    return c;
  }

  private synchronized void dropQuietly() {
    if (dropped) {
      return;
    }
    try (Connection c = connect(server, d);
        Statement st = c.createStatement()) {
      st.execute(d.dumpTool().dropDatabase(name));
      dropped = true;
    } catch (SQLException e) {
      // reported by close(); from the shutdown hook there is no one left to tell
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs (or ran) anyway
    }
    synchronized (this) {
      if (dropped) {
        return;
      }
      try (Connection c = connect(server, d);
          Statement st = c.createStatement()) {
        st.execute(d.dumpTool().dropDatabase(name));
        dropped = true;
      }
    }
  }
}
