package dev.prodguard.guard;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.support.DatabaseObjects;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Installs and upgrades every prodguard object in the target, idempotently and versioned: each
 * component's versions are applied in order with IF NOT EXISTS / OR REPLACE DDL, and {@code
 * prodguard_schema} records the version each component reached, so a newer prodguard upgrades in
 * place without dropping history (runs, audit rows, sync change logs stay).
 *
 * <p>Once everything is current, {@link #ensure} runs one SELECT and no DDL, which matters on a
 * protected PostgreSQL database: the DDL guard (G6) refuses DDL outside a registered deploy. An
 * upgrade there pauses the guard inside the upgrade transaction, invisible to other sessions; only
 * the guard's owner (a superuser) can, otherwise the upgrade is refused with the way forward.
 */
public final class PipelineSchema {
  /** Kept for readers of the pipeline component's version. */
  public static final String COMPONENT = "pipeline";

  /** The pipeline component's newest version. */
  public static final int VERSION = Component.PIPELINE.latest;

  /**
   * What {@code prodguard_schema} versions, in installation order: one per feature whose objects
   * are SQL resources ({@link DatabaseObjects}, docs/database-objects.md); the newest version is
   * the highest {@code V<n>.sql} there.
   */
  public enum Component {
    /** prodguard_schema, prodguard_run (1); prodguard_session (2). */
    PIPELINE("pipeline"),
    /** prodguard_audit and its append-only triggers (1); SELECT and INSERT only (2, PostgreSQL). */
    AUDIT("audit"),
    /** prodguard_sync_change (1). */
    SYNC("sync"),
    /**
     * prodguard_guard_config, the assert, session registration, the DDL guard function (1); the
     * history guard's trigger function and prodguard's protective triggers enabled ALWAYS (2,
     * PostgreSQL); only the owners write prodguard's tables (3, PostgreSQL).
     */
    GUARDS("guards"),
    /** prodguard_schema_digest: the schema each deploy left, for drift (1, docs/drift.md). */
    DRIFT("drift");

    public final String id;
    public final int latest;

    Component(String id) {
      this.id = id;
      this.latest = DatabaseObjects.latest(id);
    }

    List<String> ddl(DatabaseSupport d, int version) {
      return d.objects().statements(id, version);
    }
  }

  private PipelineSchema() {}

  /** Installs or upgrades every component; one SELECT when all are current. */
  public static void ensure(Connection c, DatabaseSupport d) throws SQLException {
    if (current(installedVersions(c, d))) {
      return;
    }
    boolean autoCommit = c.getAutoCommit();
    boolean transactional = d.transactionalDdl();
    if (transactional) {
      c.setAutoCommit(false);
    }
    try (Statement st = c.createStatement()) {
      for (String lock : d.lockSchema()) {
        try (ResultSet rs = st.executeQuery(lock)) {
          rs.next();
        }
      }
      try {
        upgrade(c, d, st);
        if (transactional) {
          c.commit();
        }
      } finally {
        if (!transactional) {
          for (String unlock : d.unlockSchema()) {
            try (ResultSet rs = st.executeQuery(unlock)) {
              rs.next();
            }
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      if (transactional) {
        c.rollback();
      }
      throw e;
    } finally {
      if (transactional) {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  private static void upgrade(Connection c, DatabaseSupport d, Statement st) throws SQLException {
    // Read again under the lock: another process may have upgraded meanwhile.
    Map<Component, Integer> installed = installedVersions(c, d);
    if (current(installed)) {
      return;
    }
    Map<String, String> paused =
        DatabaseGuards.pauseDdlGuard(
            c,
            d,
            trigger ->
                new GuardRefusal(
                    Guarantee.G6,
                    "upgrade prodguard's database objects",
                    "prodguard's objects in this database are older than this prodguard ("
                        + describe(installed)
                        + "), but the DDL guard (event trigger "
                        + trigger
                        + ") refuses DDL outside a deploy, and this role cannot pause it: only its"
                        + " owner, a superuser, can",
                    "run 'prodguard init-fingerprint ENV' once from CI with ENV's URL pointing at"
                        + " the superuser that installed the guard: it upgrades the objects in one"
                        + " transaction and keeps every run and audit row"));
    for (Component comp : Component.values()) {
      for (int v = installed.get(comp) + 1; v <= comp.latest; v++) {
        for (String ddl : comp.ddl(d, v)) {
          st.execute(ddl);
        }
        try (PreparedStatement ps = c.prepareStatement(d.upsertSchemaVersion())) {
          ps.setString(1, comp.id);
          ps.setInt(2, v);
          ps.executeUpdate();
        }
      }
    }
    DatabaseGuards.resumeDdlGuard(c, d, paused);
  }

  private static String describe(Map<Component, Integer> installed) {
    StringBuilder sb = new StringBuilder();
    for (Component comp : Component.values()) {
      if (installed.get(comp) < comp.latest) {
        if (sb.length() > 0) {
          sb.append(", ");
        }
        sb.append(comp.id)
            .append(' ')
            .append(installed.get(comp))
            .append(" < ")
            .append(comp.latest);
      }
    }
    return sb.toString();
  }

  private static boolean current(Map<Component, Integer> installed) {
    for (Component comp : Component.values()) {
      if (installed.get(comp) < comp.latest) {
        return false;
      }
    }
    return true;
  }

  /** Every component's installed version, 0 when absent (also when nothing is installed). */
  public static Map<Component, Integer> installedVersions(Connection c, DatabaseSupport d)
      throws SQLException {
    Map<Component, Integer> out = new EnumMap<>(Component.class);
    for (Component comp : Component.values()) {
      out.put(comp, 0);
    }
    if (!tableExists(c, d, "prodguard_schema")) {
      return out;
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT component, version FROM prodguard_schema")) {
      while (rs.next()) {
        for (Component comp : Component.values()) {
          if (comp.id.equals(rs.getString(1))) {
            out.put(comp, rs.getInt(2));
          }
        }
      }
    }
    return out;
  }

  /** Whether every component is at this prodguard's version. */
  public static boolean isCurrent(Connection c, DatabaseSupport d) throws SQLException {
    return current(installedVersions(c, d));
  }

  /** The pipeline component's version, 0 when nothing is installed. */
  public static int installedVersion(Connection c, DatabaseSupport d) throws SQLException {
    return installedVersions(c, d).get(Component.PIPELINE);
  }

  /** Whether a table exists where prodguard keeps its objects; never aborts a transaction. */
  public static boolean tableExists(Connection c, DatabaseSupport d, String table)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(d.tableCountQuery(false))) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }
}
