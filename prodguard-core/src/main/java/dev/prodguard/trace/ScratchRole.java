package dev.prodguard.trace;

import dev.prodguard.db.DatabaseUrl;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.DatabaseSupport;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The role the replay runs as on a configured scratch server ({@code --scratch-url}, {@code
 * trace.scratch}), as on the embedded one: never a superuser, never a role that reaches the
 * server's files or programs (G4).
 *
 * <ul>
 *   <li>The URL's role is a superuser: a role of this trace is created there, {@code
 *       prodguard_replay_<random>} (login with a random password only this process knows, no
 *       superuser, no {@code CREATEDB}/{@code CREATEROLE}, no membership, valid for one day at
 *       most), which owns the scratch database and the copied objects and replays; it is dropped
 *       after the scratch database, when the trace ends, fails or is interrupted.
 *   <li>It is not: the replay runs as it, unless it may reach the host through the server ({@code
 *       pg_execute_server_program}, {@code pg_read_server_files}, {@code pg_write_server_files}, or
 *       {@code CREATEROLE} before PostgreSQL 16, which grants those): refused, one screen.
 * </ul>
 */
final class ScratchRole implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Prefix of the roles trace creates on a configured scratch server. */
  static final String PREFIX = "prodguard_replay_";

  private final DatabaseUrl server;
  private final DatabaseSupport d;
  private final String role;
  private final String password;
  private boolean dropped;

  private ScratchRole(DatabaseUrl server, DatabaseSupport d, String role, String password) {
    this.server = server;
    this.d = d;
    this.role = role;
    this.password = password;
  }

  /**
   * The replay's role on {@code server}: created when the URL's role is a superuser; none (the
   * URL's own role replays) when that role is safe to replay as.
   *
   * @throws GuardRefusal (G4) when the URL's role is no superuser and may reach the host
   */
  static ScratchRole prepare(String env, DatabaseUrl server, DatabaseSupport d, int major)
      throws SQLException {
    String user;
    boolean superuser;
    boolean createRole;
    String reaches;
    try (Connection c = ScratchDatabase.connect(server, d);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT current_user, r.rolsuper, r.rolcreaterole, concat_ws(', ',"
                    + " CASE WHEN pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER')"
                    + " THEN 'pg_execute_server_program' END,"
                    + " CASE WHEN pg_has_role(current_user, 'pg_read_server_files', 'MEMBER')"
                    + " THEN 'pg_read_server_files' END,"
                    + " CASE WHEN pg_has_role(current_user, 'pg_write_server_files', 'MEMBER')"
                    + " THEN 'pg_write_server_files' END)"
                    + " FROM pg_catalog.pg_roles r WHERE r.rolname = current_user")) {
      rs.next();
      user = rs.getString(1);
      superuser = rs.getBoolean(2);
      createRole = rs.getBoolean(3);
      reaches = rs.getString(4);
    }
    if (!superuser) {
      String why =
          !reaches.isEmpty()
              ? "is a member of " + reaches
              : createRole && major < 16
                  ? "has CREATEROLE, with which it can grant itself pg_execute_server_program on"
                      + " PostgreSQL "
                      + major
                  : null;
      if (why != null) {
        throw new GuardRefusal(
            Guarantee.G4,
            "trace " + env,
            "the scratch server's role "
                + user
                + " (--scratch-url, $"
                + Tracer.SCRATCH_VARIABLE
                + " or trace.scratch) is no superuser, so the replay would run as it, and it "
                + why
                + ": a replayed statement could run programs or read and write files on the"
                + " scratch server's host, which can reach the network and production; nothing"
                + " ran on '"
                + env
                + "' or the scratch server",
            "give a scratch URL whose role is a superuser (trace then replays as an unprivileged"
                + " role of its own, created for the trace and dropped after it) or one without"
                + " these rights; or leave the scratch server unset for the embedded PostgreSQL"
                + " (docs/trace.md)");
      }
      return new ScratchRole(server, d, null, null);
    }
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    String role = PREFIX + HexFormat.of().formatHex(b);
    byte[] p = new byte[32];
    RANDOM.nextBytes(p);
    String password = HexFormat.of().formatHex(p);
    dev.prodguard.db.Redactor.registerSecret(password);
    String until =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .format(Instant.now().plus(1, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC))
            + "+00";
    try (Connection c = ScratchDatabase.connect(server, d);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE ROLE "
              + role
              + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
              + " PASSWORD '"
              + password
              + "' VALID UNTIL '"
              + until
              + "'");
    }
    return new ScratchRole(server, d, role, password);
  }

  /** The unprivileged role that replays, when this trace created one. */
  Optional<ScratchDatabase.Replayer> replayer() {
    return role == null
        ? Optional.empty()
        : Optional.of(new ScratchDatabase.Replayer(role, server.withCredentials(role, password)));
  }

  /** Drops the role, after the scratch database it owned is gone; once. */
  @Override
  public synchronized void close() throws SQLException {
    if (role == null || dropped) {
      return;
    }
    try (Connection c = ScratchDatabase.connect(server, d);
        Statement st = c.createStatement()) {
      st.execute("DROP ROLE IF EXISTS " + role);
      dropped = true;
    }
  }
}
