package dev.prodguard.spring;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The start-up migration of an unprotected environment, as the CLI's deploy does it
 * (docs/pipeline.md): a schema whose only tables are prodguard's own ({@code database_metadata},
 * {@code prodguard_*}) and that has no history table is empty for the application, but Flyway would
 * refuse it as non-empty. Rather than {@code baselineOnMigrate}, such a schema gets an explicit
 * baseline at version 0, so every migration from V1 on still runs. Any other table keeps Flyway's
 * refusal.
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
      Flyway.configure(flyway.getConfiguration().getClassLoader())
          .configuration(flyway.getConfiguration())
          .baselineVersion("0")
          .baselineDescription("prodguard: schema held only prodguard metadata")
          .load()
          .baseline();
    }
  }
}
