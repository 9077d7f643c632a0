package dev.prodguard.pipeline;

import org.flywaydb.core.Flyway;

/**
 * The attack of G6 in a process of its own, with whatever environment the test gives it ({@code
 * CI=true} or not): Flyway's own API, configured by hand, migrating the repository's migration
 * folder. {@code DirectFlywayMigrate JDBC_URL FOLDER}; prints the outcome, exit 0 when it migrated.
 */
public final class DirectFlywayMigrate {
  private DirectFlywayMigrate() {}

  public static void main(String[] args) {
    try {
      int n =
          Flyway.configure()
              .dataSource(args[0], null, null)
              .locations("filesystem:" + args[1])
              .load()
              .migrate()
              .migrationsExecuted;
      System.out.println("migrated " + n);
      System.exit(0);
    } catch (RuntimeException e) {
      System.out.println("failed: " + e.getMessage());
      System.exit(1);
    }
  }
}
