package dev.prodguard.demo;

import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The G6 attack of the demo: what {@code flyway migrate} by hand does, through Flyway's own API
 * with Flyway's defaults, straight at prod with the project's migration location. No prodguard code
 * is between Flyway and the database; only what prodguard installed in the database can stop it.
 */
final class DirectFlyway {
  private static final Logger FLYWAY_LOG = Logger.getLogger("org.flywaydb");

  /** What happened: migrated (the guard did not hold) or refused with Flyway's message. */
  record Outcome(boolean migrated, int applied, String message) {}

  private DirectFlyway() {}

  static Outcome migrate(String jdbcUrl, String user, Path location) {
    Level before = FLYWAY_LOG.getLevel();
    FLYWAY_LOG.setLevel(Level.OFF); // the demo prints the outcome itself
    try {
      MigrateResult r =
          Flyway.configure(DirectFlyway.class.getClassLoader())
              .dataSource(jdbcUrl, user, "")
              .locations("filesystem:" + location.toAbsolutePath())
              .load()
              .migrate();
      return new Outcome(true, r.migrationsExecuted, "Flyway applied " + r.migrationsExecuted);
    } catch (FlywayException e) {
      return new Outcome(false, 0, String.valueOf(e.getMessage()));
    } finally {
      FLYWAY_LOG.setLevel(before);
    }
  }
}
