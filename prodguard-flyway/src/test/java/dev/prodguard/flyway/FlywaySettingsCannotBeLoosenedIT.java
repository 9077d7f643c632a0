package dev.prodguard.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationFiles;
import dev.prodguard.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** G5/G7: nothing in the environment loosens the Flyway that prodguard runs. */
@DisplayName("G7 Flyway settings cannot be loosened")
class FlywaySettingsCannotBeLoosenedIT {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "G7: FLYWAY_* variables, -Dflyway.* properties and flyway.conf/flyway.toml do not loosen"
          + " clean, validate, out-of-order or baseline, nor bring back the PostgreSQL transactional"
          + " lock")
  void environmentCannotLoosenFlyway() throws Exception {
    try (TestDatabase db = TestDatabase.postgres()) {
      Path migrations = Files.createDirectories(dir.resolve("db/migration"));
      Files.writeString(migrations.resolve("V1__a.sql"), "CREATE TABLE a (id INT);\n");
      Files.writeString(migrations.resolve("V3__c.sql"), "CREATE TABLE c (id INT);\n");
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(db.jdbcUrl());
      new FlywayMigrationEngine().migrate(snapshot(migrations), ds);
      // V2 appears after V3 was applied: only outOfOrder=true would run it.
      Files.writeString(migrations.resolve("V2__b.sql"), "CREATE TABLE b (id INT);\n");
      String loosen =
          "flyway.cleanDisabled=false\nflyway.outOfOrder=true\nflyway.validateOnMigrate=false\n"
              + "flyway.baselineOnMigrate=true\nflyway.ignoreMigrationPatterns=*:*\n"
              + "flyway.postgresql.transactional.lock=true\n";
      Files.writeString(dir.resolve("flyway.conf"), loosen);
      Files.createDirectories(dir.resolve("conf"));
      Files.writeString(dir.resolve("conf/flyway.conf"), loosen);
      Files.writeString(
          dir.resolve("flyway.toml"),
          "[flyway]\ncleanDisabled = false\noutOfOrder = true\nvalidateOnMigrate = false\n");

      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Dflyway.cleanDisabled=false",
                  "-Dflyway.outOfOrder=true",
                  "-Dflyway.validateOnMigrate=false",
                  "-Dflyway.baselineOnMigrate=true",
                  "-Dflyway.ignoreMigrationPatterns=*:*",
                  "-Dflyway.postgresql.transactional.lock=true",
                  "-cp",
                  System.getProperty("java.class.path"),
                  FlywaySettingsProbe.class.getName(),
                  db.jdbcUrl(),
                  migrations.toString())
              .directory(dir.toFile())
              .redirectErrorStream(true);
      Map<String, String> env = pb.environment();
      env.put("FLYWAY_CLEAN_DISABLED", "false");
      env.put("FLYWAY_OUT_OF_ORDER", "true");
      env.put("FLYWAY_VALIDATE_ON_MIGRATE", "false");
      env.put("FLYWAY_BASELINE_ON_MIGRATE", "true");
      env.put("FLYWAY_IGNORE_MIGRATION_PATTERNS", "*:*");
      env.put("FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK", "true");
      env.put("FLYWAY_LOCATIONS", "filesystem:/nonexistent");
      env.put("FLYWAY_CONFIG_FILES", dir.resolve("flyway.conf").toString());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out)
          .contains(
              "cleanDisabled=true",
              "validateOnMigrate=true",
              "outOfOrder=false",
              "baselineOnMigrate=false",
              // the reading configuration runs no callbacks (info/validate never run the
              // project's SQL); the deploy's migrate runs them, judged by verify
              "skipDefaultCallbacks=true",
              "ignoreMigrationPatterns=[]",
              "postgresqlTransactionalLock=false",
              "clean=refused",
              "migrate=refused");
      assertThat(out).contains("validate=[V2 b: Detected resolved migration not applied");
      try (var c = db.connect();
          var rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM"
                          + " information_schema.tables WHERE table_schema = 'public'")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("a,c,flyway_schema_history");
      }
    }
  }

  private static MigrationFiles snapshot(Path dir) throws Exception {
    List<MigrationFile> files = new ArrayList<>();
    try (var s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        files.add(
            new MigrationFile(p.getFileName().toString(), "db/migration", Files.readAllBytes(p)));
      }
    }
    return MigrationFiles.of(files);
  }
}
