package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.findings.Finding;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G5, sql-migration-outside-locations on a multi-backend repository (conductor: PostgreSQL and
 * MySQL persistence modules, one prodguard configuration each). The finding stands (the PostgreSQL
 * configuration does not guard the MySQL files), but its way forward no longer says only "add the
 * file's folder to migrations.locations", which would put MySQL migrations into the PostgreSQL
 * migration set: it names the configuration of its own and the reviewed scan exception.
 */
@DisplayName("G5: a migration folder of another backend is pointed at its own configuration")
class G5MultiBackendLocationsTest {
  @TempDir java.nio.file.Path dir;

  private static final String PG =
      "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n    database: postgresql\n"
          + "migrations:\n  locations: [postgres/src/main/resources/db/migration_postgres]\n";

  private List<Finding> findings(boolean mysqlConfig) {
    Repo repo =
        new Repo(dir)
            .file("prodguard.yml", PG)
            .file("prodguard-contract.yml", "version: 1\n")
            .file(
                "postgres/src/main/resources/db/migration_postgres/V1__a.sql",
                "CREATE TABLE a (id int);\n")
            .file(
                "mysql/src/main/resources/db/migration/V1__a.sql",
                "CREATE TABLE a (id int) ENGINE=InnoDB;\n");
    if (mysqlConfig) {
      repo.file(
          "prodguard-mysql.yml",
          "environments:\n  dev:\n    url: ${DEV_MYSQL_URL}\n    database: mysql\n"
              + "migrations:\n  locations: [mysql/src/main/resources/db/migration]\n");
    }
    ScanReport r = repo.commit().scan();
    assertThat(r.findings())
        .as("all findings: %s", r.findings())
        .anyMatch(f -> f.rule().equals("sql-migration-outside-locations"));
    return r.findings().stream()
        .filter(f -> f.rule().equals("sql-migration-outside-locations"))
        .toList();
  }

  @Test
  @DisplayName("G5: the way forward names a configuration of its own, not only the locations")
  void wayForwardForAnotherBackend() {
    List<Finding> found = findings(false);
    assertThat(found)
        .singleElement()
        .extracting(Finding::message)
        .asString()
        .contains("configuration of its own", "scan-exceptions", "another backend")
        .doesNotContain("Instead: add the file's folder");
  }

  @Test
  @DisplayName("G5: a second configuration that guards the folder is named, with the entry")
  void secondConfigurationNamed() {
    List<Finding> found = findings(true);
    assertThat(found)
        .singleElement()
        .extracting(Finding::message)
        .asString()
        .contains(
            "prodguard-mysql.yml names it in its migrations.locations",
            "{ path: \"mysql/src/main/resources/db/migration/*\", rule:"
                + " sql-migration-outside-locations, reason: \"guarded by prodguard-mysql.yml\" }");
  }
}
