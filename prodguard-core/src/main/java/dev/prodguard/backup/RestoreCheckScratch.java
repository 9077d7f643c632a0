package dev.prodguard.backup;

import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * G9: the scratch databases of the restore check ({@code prodguard_rc_*}, a full copy of the
 * environment's data on its own server) must not outlive the check. A backup process killed hard
 * (SIGKILL, a CI job's hard cancel, the OOM killer) cannot drop its own; so on PostgreSQL each one
 * is marked, as it is created, with its owner (a comment: the environment's database and the
 * backend of the backup's control session, pid and start time), and every later backup drops those
 * of its own database whose owner session is provably gone (no session with that pid and start
 * time: the server ended it when the process died). One without that mark, or of another database,
 * is left alone and reported. {@code DROP DATABASE ... WITH (FORCE)} also ends a restore tool still
 * writing into it.
 */
public final class RestoreCheckScratch {
  private RestoreCheckScratch() {}

  static final String PREFIX = "prodguard_rc_";

  private static final Pattern MARK =
      Pattern.compile("^prodguard restore check of database (.+); owner session (\\d+)@(\\d+)$");

  /** A leftover scratch database and what was done with it. */
  public record Leftover(String name, boolean dropped, String note) {
    public String line() {
      return name + ": " + note;
    }
  }

  /** Marks {@code scratch} as owned by the session of {@code control} (PostgreSQL only). */
  static void markOwned(Connection control, DatabaseSupport d, String scratch) throws SQLException {
    if (!d.dumpTool().marksScratchOwner()) {
      return;
    }
    String owner;
    try (Statement st = control.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT current_database(), pg_backend_pid(),"
                    + " (extract(epoch FROM backend_start) * 1000000)::bigint"
                    + " FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
      if (!rs.next()) {
        return; // unmarked: never reaped, only reported
      }
      owner =
          "prodguard restore check of database "
              + rs.getString(1)
              + "; owner session "
              + rs.getLong(2)
              + "@"
              + rs.getLong(3);
    }
    try (Statement st = control.createStatement()) {
      st.execute(
          "COMMENT ON DATABASE " + d.quote(scratch) + " IS '" + owner.replace("'", "''") + "'");
    }
  }

  /**
   * The restore-check scratch databases on {@code control}'s server other than the ones a live
   * session owns; with {@code drop}, drops those of this database whose owner session is gone.
   * Never throws for one database it cannot drop: says so in its note.
   */
  public static List<Leftover> leftovers(Connection control, DatabaseSupport d, boolean drop)
      throws SQLException {
    List<Leftover> out = new ArrayList<>();
    if (!d.dumpTool().marksScratchOwner()) {
      return out;
    }
    String here;
    List<String[]> found = new ArrayList<>();
    try (Statement st = control.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT current_database(), d.datname, shobj_description(d.oid, 'pg_database')"
                    + " FROM pg_database d WHERE d.datname LIKE 'prodguard\\_rc\\_%'"
                    + " ORDER BY d.datname")) {
      here = null;
      while (rs.next()) {
        here = rs.getString(1);
        found.add(new String[] {rs.getString(2), rs.getString(3)});
      }
    }
    for (String[] f : found) {
      String name = f[0];
      Matcher m = MARK.matcher(f[1] == null ? "" : f[1]);
      if (!m.matches()) {
        out.add(
            new Leftover(
                name,
                false,
                "a restore-check scratch database without prodguard's owner mark (from an older"
                    + " prodguard, or not prodguard's): left alone; drop it by hand once no backup"
                    + " runs"));
        continue;
      }
      if (!m.group(1).equals(here)) {
        continue; // another environment's: its own backups judge it
      }
      Optional<Boolean> alive = alive(control, Long.parseLong(m.group(2)), m.group(3));
      if (alive.orElse(true)) {
        continue; // a backup running now (or one prodguard cannot judge): not a leftover
      }
      if (!drop) {
        out.add(
            new Leftover(
                name,
                false,
                "left by a backup whose process died during its restore check (its session "
                    + m.group(2)
                    + " is gone): a copy of this database's data; the next backup drops it"));
        continue;
      }
      try (Statement st = control.createStatement()) {
        st.execute(d.dumpTool().dropDatabase(name));
        out.add(
            new Leftover(
                name,
                true,
                "dropped: left by a backup whose process died during its restore check (its"
                    + " session "
                    + m.group(2)
                    + " is gone)"));
      } catch (SQLException e) {
        out.add(
            new Leftover(
                name,
                false,
                "left by a backup whose process died during its restore check, but it could not"
                    + " be dropped ("
                    + e.getMessage()
                    + "): drop it by hand"));
      }
    }
    return out;
  }

  /**
   * Whether a session with this backend pid and start time runs; empty when prodguard cannot tell.
   * A session whose start time this role may not read counts by its pid alone (a reused pid keeps
   * the database: the safe side).
   */
  private static Optional<Boolean> alive(Connection c, long pid, String startMicros) {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND (backend_start IS NULL"
                + " OR (extract(epoch FROM backend_start) * 1000000)::bigint = ?)")) {
      ps.setInt(1, (int) pid);
      ps.setLong(2, Long.parseLong(startMicros));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return Optional.of(rs.getLong(1) > 0);
      }
    } catch (SQLException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
