package dev.prodguard.spring;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.migration.baseline.BaselineMigrationType;

/**
 * The start-up migration of an unprotected environment, as the CLI's deploy does it
 * (docs/pipeline.md): a schema whose only tables are prodguard's own ({@code database_metadata},
 * {@code prodguard_*}) and that has no history table is empty for the application, but Flyway would
 * refuse it as non-empty. Rather than {@code baselineOnMigrate}, such a schema gets an explicit
 * baseline at version 0, so every migration from V1 on still runs; with a Flyway baseline migration
 * ({@code B5__x.sql}) the history table is left empty instead, so Flyway applies it as on an empty
 * database. Any other table keeps Flyway's refusal.
 */
public final class ProdguardOnlySchema {
  private ProdguardOnlySchema() {}

  public static void adopt(Flyway flyway) {
    String history = flyway.getConfiguration().getTable().toLowerCase(Locale.ROOT);
    boolean hasHistory = false;
    boolean prodguard = false;
    boolean foreign = false;
    try (Connection c = flyway.getConfiguration().getDataSource().getConnection();
        ResultSet rs =
            c.getMetaData()
                .getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE", "VIEW"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
        if (name.equals(history)) {
          hasHistory = true;
        } else if (name.equals("database_metadata") || name.startsWith("prodguard_")) {
          prodguard = true;
        } else {
          foreign = true;
        }
      }
    } catch (SQLException e) {
      throw new FlywayException(
          "cannot list the tables of the target schema: " + e.getMessage(), e);
    }
    if (!hasHistory && prodguard && !foreign) {
      // Flyway applies a baseline migration (B5__x.sql) only where the history has no row, as on
      // the empty database plain Flyway migrates: then the history table stays, its row goes.
      boolean baselineMigration =
          java.util.Arrays.stream(flyway.info().all())
              .anyMatch(i -> i.getType() instanceof BaselineMigrationType);
      Flyway.configure(flyway.getConfiguration().getClassLoader())
          .configuration(flyway.getConfiguration())
          .baselineVersion("0")
          .baselineDescription(DESCRIPTION)
          .load()
          .baseline();
      if (baselineMigration) {
        forgetOwnBaseline(flyway);
      }
    }
  }

  private static final String DESCRIPTION = "prodguard: schema held only prodguard metadata";

  private static void forgetOwnBaseline(Flyway flyway) {
    try (Connection c = flyway.getConfiguration().getDataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "DELETE FROM "
                    + flyway.getConfiguration().getTable()
                    + " WHERE version = ? AND description = ?")) {
      ps.setString(1, "0");
      ps.setString(2, DESCRIPTION);
      if (ps.executeUpdate() != 1) {
        throw new FlywayException(
            "cannot empty the new schema history for the baseline migration: its row is not"
                + " there");
      }
    } catch (SQLException e) {
      throw new FlywayException(
          "cannot empty the new schema history for the baseline migration: " + e.getMessage(), e);
    }
  }
}
