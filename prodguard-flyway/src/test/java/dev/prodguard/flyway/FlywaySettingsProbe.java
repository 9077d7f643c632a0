package dev.prodguard.flyway;

import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Runs in a child JVM whose environment, system properties and working folder try to loosen Flyway;
 * prints what prodguard's Flyway ended up with and what it did. {@code URL MIGRATIONS}.
 */
public final class FlywaySettingsProbe {
  private FlywaySettingsProbe() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(args[0]);
    List<MigrationFile> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of(args[1]))) {
      for (Path p : s.sorted().toList()) {
        files.add(
            new MigrationFile(p.getFileName().toString(), "db/migration", Files.readAllBytes(p)));
      }
    }
    MigrationFiles snapshot = MigrationFiles.of(files);
    FlywayMigrationEngine engine = new FlywayMigrationEngine();
    Flyway flyway = engine.flyway(snapshot, ds, false);
    Configuration c = flyway.getConfiguration();
    System.out.println("cleanDisabled=" + c.isCleanDisabled());
    System.out.println("validateOnMigrate=" + c.isValidateOnMigrate());
    System.out.println("outOfOrder=" + c.isOutOfOrder());
    System.out.println("baselineOnMigrate=" + c.isBaselineOnMigrate());
    System.out.println("skipDefaultCallbacks=" + c.isSkipDefaultCallbacks());
    System.out.println(
        "ignoreMigrationPatterns=" + Arrays.toString(c.getIgnoreMigrationPatterns()));
    System.out.println(
        "postgresqlTransactionalLock="
            + c.getPluginRegister()
                .getExact(PostgreSQLConfigurationExtension.class)
                .isTransactionalLock());
    System.out.println("validate=" + engine.validate(snapshot, ds));
    try {
      flyway.clean();
      System.out.println("clean=RAN");
    } catch (RuntimeException e) {
      System.out.println("clean=refused " + e.getMessage().replace('\n', ' '));
    }
    try {
      engine.migrate(snapshot, ds);
      System.out.println("migrate=RAN");
    } catch (RuntimeException e) {
      System.out.println("migrate=refused " + e.getMessage().replace('\n', ' '));
    }
  }
}
