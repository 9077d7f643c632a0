package dev.prodguard.pipeline;

import dev.prodguard.dialect.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Installs and upgrades prodguard's pipeline objects in the target, idempotently: each version's
 * DDL uses IF NOT EXISTS, and {@code prodguard_schema} records the version reached, so a newer
 * prodguard upgrades in place without dropping history.
 */
public final class PipelineSchema {
  public static final String COMPONENT = "pipeline";
  public static final int VERSION = 1;

  private PipelineSchema() {}

  public static void ensure(Connection c, Dialect d) throws SQLException {
    int installed = installedVersion(c, d);
    for (int v = installed + 1; v <= VERSION; v++) {
      try (Statement st = c.createStatement()) {
        for (String ddl : d.pipelineObjects(v)) {
          st.execute(ddl);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(d.upsertSchemaVersion())) {
        ps.setString(1, COMPONENT);
        ps.setInt(2, v);
        ps.executeUpdate();
      }
    }
  }

  /** 0 when nothing is installed. */
  public static int installedVersion(Connection c, Dialect d) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT version FROM prodguard_schema WHERE component = ?")) {
      ps.setString(1, COMPONENT);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    } catch (SQLException e) {
      if (d.isUndefinedTable(e)) {
        return 0;
      }
      throw e;
    }
  }
}
