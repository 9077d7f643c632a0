package dev.prodguard.spring;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.api.migration.baseline.BaselineMigrationType;

/**
 * The start-up migration of an unprotected environment, as the CLI's deploy does it
 * (docs/pipeline.md): a schema whose only tables are prodguard's own and that has no history table
 * gets an explicit baseline instead of Flyway's refusal as non-empty, read and written by {@link
 * dev.prodguard.db.ProdguardOnlySchema} (the deploy's own reading), in the application's Flyway
 * history schema ({@code spring.flyway.default-schema}, else the first of {@code
 * spring.flyway.schemas}, else the connection's).
 */
public final class ProdguardOnlySchema {
  private ProdguardOnlySchema() {}

  public static void adopt(Flyway flyway) {
    Configuration conf = flyway.getConfiguration();
    Optional<String> historySchema = historySchema(conf);
    try {
      if (dev.prodguard.db.ProdguardOnlySchema.read(
              conf.getDataSource(), historySchema, conf.getTable())
          != dev.prodguard.db.ProdguardOnlySchema.Content.PRODGUARD_ONLY) {
        return;
      }
    } catch (SQLException e) {
      throw new FlywayException(
          "cannot list the tables of the target schema: " + e.getMessage(), e);
    }
    // Flyway applies a baseline migration (B5__x.sql) only where the history has no row, as on
    // the empty database plain Flyway migrates, and takes a migration at the baseline's version
    // (V0__x.sql) as applied by it: then the history table stays, its row goes.
    org.flywaydb.core.api.MigrationVersion baseline =
        org.flywaydb.core.api.MigrationVersion.fromVersion(
            dev.prodguard.db.ProdguardOnlySchema.BASELINE_VERSION);
    boolean baselineMigration =
        Arrays.stream(flyway.info().all())
            .anyMatch(
                i ->
                    i.getType() instanceof BaselineMigrationType
                        || (i.getVersion() != null && i.getVersion().compareTo(baseline) <= 0));
    Flyway.configure(conf.getClassLoader())
        .configuration(conf)
        .baselineVersion(dev.prodguard.db.ProdguardOnlySchema.BASELINE_VERSION)
        .baselineDescription(dev.prodguard.db.ProdguardOnlySchema.BASELINE_DESCRIPTION)
        .load()
        .baseline();
    if (baselineMigration) {
      try {
        dev.prodguard.db.ProdguardOnlySchema.forgetBaselineRow(
            conf.getDataSource(), historySchema, conf.getTable());
      } catch (SQLException | IllegalStateException e) {
        throw new FlywayException(
            "cannot empty the new schema history for the baseline migration: " + e.getMessage(), e);
      }
    }
  }

  /** Flyway's history schema: its default schema, else the first of its schemas. */
  static Optional<String> historySchema(Configuration conf) {
    if (conf.getDefaultSchema() != null && !conf.getDefaultSchema().isEmpty()) {
      return Optional.of(conf.getDefaultSchema());
    }
    String[] schemas = conf.getSchemas();
    return schemas != null && schemas.length > 0 ? Optional.of(schemas[0]) : Optional.empty();
  }
}
