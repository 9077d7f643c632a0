package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original specification's proofs for G5, written as attacks on a team repository, plus the
 * same checks on prodguard's own repository (which must scan clean through its contract).
 */
@DisplayName("G5: no bypasses")
class G5NoBypassesTest {
  /** prodguard's repository root: the module runs its tests from prodguard-core/. */
  static final Path OWN_REPOSITORY = Path.of("..").toAbsolutePath().normalize();

  private static final String CONFIG =
      """
      environments:
        dev:
          url: ${DEV_DATABASE_URL}
        prod:
          url: ${PROD_DATABASE_URL}
          fingerprint: prod-9b2e51d07c8a4f16
          protected: true
          hosts: ["*.prod.internal"]
      """;

  private static final String CONTRACT =
      """
      version: 1
      mutation-scripts: [.github/workflows/deploy.yml]
      """;

  private static final String PIPELINE =
      """
      name: deploy
      on: { push: { branches: [main] } }
      jobs:
        deploy:
          runs-on: ubuntu-latest
          environment: production
          env:
            PROD_DATABASE_URL: ${{ secrets.PROD_DATABASE_URL }}
          steps:
            - run: ./prodguard promote prod
      """;

  @TempDir Path dir;

  private Repo team() {
    return new Repo(dir)
        .file("prodguard.yml", CONFIG)
        .file("prodguard-contract.yml", CONTRACT)
        .file(".github/workflows/deploy.yml", PIPELINE)
        .file(
            "src/main/resources/db/migration/beforeEachMigrate.sql",
            "SELECT prodguard_assert_deploy();\n");
  }

  @Test
  @DisplayName("G5: only the pipeline calls migrate")
  void onlyThePipelineCallsMigrate() {
    Repo repo =
        team()
            .file("Makefile", "db:\n\t./mvnw -Dflyway.url=$(URL) flyway:migrate\n")
            .file("scripts/fix-prod.sh", "#!/bin/sh\nflyway -url=\"$PROD_DATABASE_URL\" repair\n")
            .file("scripts/psql-prod.sh", "#!/bin/sh\npsql \"$PROD_DATABASE_URL\" < hotfix.sql\n")
            .file("build.gradle.kts", "tasks.named(\"build\") { dependsOn(\"flywayMigrate\") }\n")
            .file(
                "src/main/java/com/acme/Boot.java",
                "import org.flywaydb.core.Flyway;\nclass Boot {\n  void up(javax.sql.DataSource ds) {\n"
                    + "    Flyway.configure().dataSource(ds).load().migrate();\n  }\n}\n")
            .file(
                "src/test/java/com/acme/Reset.java",
                "import org.flywaydb.core.Flyway;\nclass Reset {\n  void reset(Flyway f) {\n"
                    + "    f.clean();\n  }\n}\n");
    ScanReport r = repo.scan();
    assertThat(Repo.positions(r, "direct-migration-call"))
        .containsExactlyInAnyOrder(
            "Makefile:2:29",
            "build.gradle.kts:1:35",
            "scripts/fix-prod.sh:2:1",
            "scripts/psql-prod.sh:2:1",
            "src/main/java/com/acme/Boot.java:4:45",
            "src/test/java/com/acme/Reset.java:4:6");
    assertThat(r.findings()).noneMatch(f -> f.file().equals(".github/workflows/deploy.yml"));
    assertThat(r.failed()).isTrue();
  }

  @Test
  @DisplayName("G5: the contract check fails when a new mutation script appears")
  void newMutationScript() {
    assertThat(team().scan().findings()).isEmpty();

    ScanReport r =
        team()
            .file(
                ".github/workflows/nightly.yml",
                "on: schedule\njobs:\n  n:\n    runs-on: ubuntu-latest\n    env:\n"
                    + "      DATABASE_URL: ${{ secrets.PROD_DATABASE_URL }}\n"
                    + "    steps: [ { run: ./app --migrate } ]\n")
            .scan();
    assertThat(Repo.positions(r, "protected-url-reference"))
        .containsExactly(".github/workflows/nightly.yml:6:33");
    assertThat(r.failed()).isTrue();

    // reviewed: listed in mutation-scripts, the same file passes
    ScanReport reviewed =
        new Repo(dir)
            .file(
                "prodguard-contract.yml",
                "version: 1\nmutation-scripts: [.github/workflows/deploy.yml,"
                    + " .github/workflows/nightly.yml]\n")
            .scan();
    assertThat(reviewed.findings()).isEmpty();
  }

  @Test
  @DisplayName("G5: no bypass flags exist")
  void noBypassFlagsExist() {
    ScanReport attacked =
        team()
            .file(".env", "PRODGUARD_SKIP_FINGERPRINT=1\n")
            .file("ci/deploy.sh", "#!/bin/sh\nCI=true ./prodguard promote prod --skip-backup\n")
            .file("src/main/resources/application.properties", "app.bypass-guard=true\n")
            .scan();
    assertThat(Repo.positions(attacked, "bypass-flag"))
        .containsExactlyInAnyOrder(
            ".env:1:1", "ci/deploy.sh:2:36", "src/main/resources/application.properties:1:1");
    assertThat(Repo.positions(attacked, "ci-true-outside-ci")).containsExactly("ci/deploy.sh:2:1");

    // and prodguard's own repository has none (its fixtures are covered by reviewed exceptions)
    ScanReport own = new Scanner().scan(OWN_REPOSITORY);
    List<String> bypasses =
        own.findings().stream()
            .filter(f -> f.rule().equals("bypass-flag") || f.rule().equals("ci-true-outside-ci"))
            .map(f -> f.position() + " " + f.excerpt())
            .toList();
    assertThat(bypasses).isEmpty();
  }

  @Test
  @DisplayName("G5: prodguard's own repository scans clean")
  void ownRepositoryScansClean() {
    assertThat(Files.exists(OWN_REPOSITORY.resolve("prodguard-contract.yml"))).isTrue();
    ScanReport own = new Scanner().scan(OWN_REPOSITORY);
    assertThat(
            own.findings().stream().map(f -> f.position() + " [" + f.rule() + "] " + f.excerpt()))
        .isEmpty();
    assertThat(own.excepted()).isNotEmpty();
  }
}
