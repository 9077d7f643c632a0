package dev.prodguard.spring;

import dev.prodguard.db.GuardRefusal;
import dev.prodguard.guard.DatabaseGuards;
import dev.prodguard.jdbc.FingerprintCheck;
import dev.prodguard.support.DatabaseSupport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;

/**
 * What the health indicator and the info contributor show, read on demand (one connection, a few
 * read-only statements): the environment and whether it is protected, the fingerprint checked again
 * now, the last deploy run of this environment and when it finished ({@code prodguard_run}), the
 * pending migrations (Flyway's own comparison), the DataSources the starter guards and the
 * database-side guards of G6 as {@code prodguard status} reports them.
 */
public final class ProdguardStatus {
  private final ApplicationGuard guard;
  private final ObjectProvider<DataSource> dataSources;
  private final ObjectProvider<FlywayView> flyways;

  /**
   * @param flyways the application's Flyway, when Flyway is on the class path and configured
   */
  ProdguardStatus(
      ApplicationGuard guard,
      ObjectProvider<DataSource> dataSources,
      ObjectProvider<FlywayView> flyways) {
    this.guard = guard;
    this.dataSources = dataSources;
    this.flyways = flyways;
  }

  /** The report; {@code up} is false when the fingerprint does not hold or cannot be read. */
  public Report read() {
    Map<String, Object> d = new LinkedHashMap<>();
    if (!guard.isResolved()) {
      // prodguard.environment unset: the start-up passed only for an in-memory embedded database
      d.put("environment", "not set");
      d.put("standingDown", "in-memory embedded database: nothing to guard");
      return new Report(true, d);
    }
    d.put("environment", guard.environment());
    d.put("protected", guard.isProtected());
    d.put("guardedDataSources", guard.guardedCount());
    FlywayView view = flyways.getIfUnique();
    FlywayView.Found flyway = view == null ? null : view.find().orElse(null);
    DataSource ds = flyway != null ? flyway.dataSource() : null;
    if (ds == null) {
      ds = dataSources.getIfUnique();
    }
    if (ds == null) {
      d.put("fingerprint", "no single DataSource to check");
      return new Report(false, d);
    }
    if (guard.standsDownFor(ds)) {
      d.put("standingDown", "in-memory embedded database: nothing to guard");
      return new Report(true, d);
    }
    boolean up;
    try (Connection c = ds.getConnection()) {
      DatabaseSupport s = DatabaseSupport.of(c);
      FingerprintCheck.validate(c, s, guard.environment(), guard.fingerprint());
      d.put("fingerprint", "ok");
      up = true;
      lastDeploy(c, d);
      Optional<String> history =
          flyway == null ? Optional.empty() : Optional.of(flyway.historyTable());
      DatabaseGuards.Installed g = DatabaseGuards.installed(c, s, history);
      Map<String, Object> guards = new LinkedHashMap<>();
      guards.put("assert", g.assertInstalled());
      guards.put("historyGuard", g.historyGuard().label());
      guards.put("ddlGuard", g.ddlGuard().label());
      g.databaseProtected().ifPresent(p -> guards.put("databaseProtected", p));
      d.put("databaseGuards", guards);
    } catch (GuardRefusal r) {
      d.put("fingerprint", r.why());
      return new Report(false, d);
    } catch (SQLException e) {
      GuardRefusal r = refusal(e);
      d.put("fingerprint", r != null ? r.why() : "cannot be checked: " + e.getMessage());
      return new Report(false, d);
    }
    if (flyway != null) {
      d.put("pendingMigrations", flyway.pendingCount());
    }
    return new Report(up, d);
  }

  private void lastDeploy(Connection c, Map<String, Object> d) throws SQLException {
    DatabaseSupport s = DatabaseSupport.of(c);
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, finished_at FROM prodguard_run WHERE environment = ? AND status ="
                + " 'deployed' ORDER BY finished_at DESC")) {
      ps.setString(1, guard.environment());
      ps.setMaxRows(1);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          Timestamp at = rs.getTimestamp(2);
          d.put("lastDeployRun", rs.getString(1));
          d.put("lastDeployAt", at == null ? null : at.toLocalDateTime() + "Z");
        } else {
          d.put("lastDeployRun", "none");
        }
      }
    } catch (SQLException e) {
      if (!s.isUndefinedTable(e)) {
        throw e;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      d.put("lastDeployRun", "none (no pipeline has run here)");
    }
  }

  private static GuardRefusal refusal(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof GuardRefusal r) {
        return r;
      }
    }
    return null;
  }

  /** {@code up}: the fingerprint holds; {@code details}: the shown values, in order. */
  public record Report(boolean up, Map<String, Object> details) {}
}
