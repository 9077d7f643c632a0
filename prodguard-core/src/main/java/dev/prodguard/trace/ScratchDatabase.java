package dev.prodguard.trace;

import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.support.DatabaseSupport;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A throw-away database on the scratch server ({@code prodguard_trace_<random>}), dropped on {@link
 * #close()}, and by a JVM shutdown hook if the process is interrupted (Ctrl-C) before that. The
 * scratch server never is the target: only prodguard creates and drops databases there.
 */
final class ScratchDatabase implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * The unprivileged role that replays on the scratch server ({@code role}, no superuser, no server
   * file or program rights) and its URL there ({@code server}, any database).
   */
  record Replayer(String role, DatabaseUrl server) {}

  private final DatabaseUrl server;
  private final DatabaseSupport d;
  private final String name;
  private final Optional<Replayer> replayer;
  private final Thread hook;
  private boolean dropped;

  private ScratchDatabase(
      DatabaseUrl server, DatabaseSupport d, String name, Optional<Replayer> replayer) {
    this.server = server;
    this.d = d;
    this.name = name;
    this.replayer = replayer;
    this.hook = new Thread(this::dropQuietly, "prodguard-trace-scratch-drop");
  }

  /** Creates the database on {@code server} (its URL names a database to connect to for that). */
  static ScratchDatabase create(DatabaseUrl server, DatabaseSupport d) throws SQLException {
    return create(server, d, Optional.empty());
  }

  /**
   * Creates the database on {@code server}, owned by the {@code replayer}'s role when given (it
   * replays there, as the owner of the copied objects).
   */
  static ScratchDatabase create(DatabaseUrl server, DatabaseSupport d, Optional<Replayer> replayer)
      throws SQLException {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    ScratchDatabase s =
        new ScratchDatabase(server, d, "prodguard_trace_" + HexFormat.of().formatHex(b), replayer);
    try (Connection c = connect(server, d);
        Statement st = c.createStatement()) {
      st.execute(
          d.dumpTool().createDatabase(s.name)
              + replayer.map(r -> " OWNER " + d.quote(r.role())).orElse(""));
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

  /** As the server's URL's role (the superuser of an embedded server): copies the schema. */
  Connection connect() throws SQLException {
    return connect(url(), d);
  }

  /**
   * The role whose session replays the migrations: the unprivileged replayer's, when there is one.
   */
  Connection connectReplay() throws SQLException {
    return connect(replayer.map(r -> r.server().withDatabase(name)).orElse(url()), d);
  }

  /** The role the copied objects are given to, when the replay runs as an unprivileged one. */
  Optional<String> owner() {
    return replayer.map(Replayer::role);
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
