package dev.prodguard.guard;

import dev.prodguard.dialect.DdlGuardSql;
import dev.prodguard.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * G6 inside the database: whether the environment is protected ({@code prodguard_guard_config},
 * read by {@code prodguard_assert_deploy()} and the DDL guard), the PostgreSQL DDL guard (event
 * triggers, installed only by a superuser), and what is installed. The tables and routines
 * themselves are versioned objects of {@code PipelineSchema}.
 */
public final class DatabaseGuards {
  private DatabaseGuards() {}

  /** The PostgreSQL DDL guard as found. */
  public enum DdlGuard {
    /** Both event triggers exist and are enabled. */
    INSTALLED,
    /** They exist but at least one is disabled. */
    DISABLED,
    /** Not (fully) there. */
    MISSING,
    /** The server has no event triggers (MySQL, MariaDB). */
    UNSUPPORTED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What is installed in the database. */
  public record Installed(
      Optional<Boolean> databaseProtected, boolean assertInstalled, DdlGuard ddlGuard) {}

  /** What {@link #installDdlGuard} did: the state after, and why it is not installed. */
  public record DdlGuardInstall(DdlGuard state, boolean changed, Optional<String> note) {}

  /** Records whether the environment is protected (init-fingerprint: from prodguard.yml). */
  public static void configure(Connection c, boolean isProtected, String by, Instant now)
      throws SQLException {
    LocalDateTime at = LocalDateTime.ofInstant(now.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    try (PreparedStatement up =
        c.prepareStatement(
            "UPDATE prodguard_guard_config SET protected = ?, updated_at = ?, updated_by = ?"
                + " WHERE id = 1")) {
      up.setBoolean(1, isProtected);
      up.setObject(2, at);
      up.setString(3, by);
      if (up.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement in =
        c.prepareStatement(
            "INSERT INTO prodguard_guard_config (id, protected, updated_at, updated_by)"
                + " VALUES (1, ?, ?, ?)")) {
      in.setBoolean(1, isProtected);
      in.setObject(2, at);
      in.setString(3, by);
      in.executeUpdate();
    }
  }

  /**
   * For a protected environment: makes sure the database says so too (tightening is always allowed;
   * loosening only through init-fingerprint of an environment that is not protected). Returns true
   * when it had to change the record (missing, or edited to 'not protected').
   */
  public static boolean requireProtected(Connection c, String by, Instant now) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT protected FROM prodguard_guard_config WHERE id = 1")) {
      if (rs.next() && rs.getBoolean(1)) {
        return false;
      }
    }
    configure(c, true, by, now);
    return true;
  }

  /**
   * Installs the PostgreSQL DDL guard (both event triggers, in one transaction) when the role is a
   * superuser and it is not already there. Never an error: a role that cannot is told so, and
   * {@code status} shows the guard missing.
   */
  public static DdlGuardInstall installDdlGuard(Connection c, Dialect d) throws SQLException {
    if (d.ddlGuard().isEmpty()) {
      return new DdlGuardInstall(
          DdlGuard.UNSUPPORTED,
          false,
          Optional.of(
              "MySQL/MariaDB have no event triggers: the Flyway callback is the guard there"));
    }
    DdlGuardSql g = d.ddlGuard().get();
    if (ddlGuard(c, d) == DdlGuard.INSTALLED) {
      return new DdlGuardInstall(DdlGuard.INSTALLED, false, Optional.empty());
    }
    String role;
    boolean superuser;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_user")) {
      rs.next();
      role = rs.getString(1);
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(g.superuserQuery())) {
      superuser = rs.next() && rs.getBoolean(1);
    }
    if (!superuser) {
      return new DdlGuardInstall(
          ddlGuard(c, d),
          false,
          Optional.of(
              "role '"
                  + role
                  + "' is not a superuser, and only a superuser can create event triggers: run"
                  + " init-fingerprint once as a superuser to install it"));
    }
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      for (String sql : g.install()) {
        st.execute(sql);
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
    return new DdlGuardInstall(ddlGuard(c, d), true, Optional.empty());
  }

  /** The DDL guard as it is now. */
  public static DdlGuard ddlGuard(Connection c, Dialect d) throws SQLException {
    if (d.ddlGuard().isEmpty()) {
      return DdlGuard.UNSUPPORTED;
    }
    DdlGuardSql g = d.ddlGuard().get();
    Map<String, String> states = new LinkedHashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(g.stateQuery())) {
      while (rs.next()) {
        states.put(rs.getString(1), rs.getString(2));
      }
    }
    if (!states.keySet().containsAll(g.triggerNames())) {
      return DdlGuard.MISSING;
    }
    return states.containsValue("D") ? DdlGuard.DISABLED : DdlGuard.INSTALLED;
  }

  /** What is installed, read-only; missing tables read as missing, never as an error. */
  public static Installed installed(Connection c, Dialect d) throws SQLException {
    Optional<Boolean> prot = Optional.empty();
    if (tableExists(c, d, "prodguard_guard_config")) {
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT protected FROM prodguard_guard_config WHERE id = 1")) {
        if (rs.next()) {
          prot = Optional.of(rs.getBoolean(1));
        }
      }
    }
    boolean assertInstalled;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(d.assertInstalledQuery())) {
      assertInstalled = rs.next() && rs.getLong(1) > 0;
    }
    return new Installed(prot, assertInstalled, ddlGuard(c, d));
  }

  private static boolean tableExists(Connection c, Dialect d, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                + d.currentSchema()
                + " AND table_name = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }
}
