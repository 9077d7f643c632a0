package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.scan.rules.CommittedProdguardOutput;
import dev.prodguard.scan.rules.ProdguardIntegrity;
import dev.prodguard.scan.rules.UnreadableFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15's scan gaps that a fixture folder cannot hold: git-only names, sizes, git add -A. */
@DisplayName("G5: what the scan cannot read is a finding, and its own output is not")
class G5ScanGapsTest {
  @TempDir Path dir;

  @Test
  @DisplayName("G5: a tracked script whose name is not UTF-8 is a finding, not a silent skip")
  void nonUtf8FileName() throws Exception {
    Repo repo = new Repo(dir).file("README.md", "# app\n");
    // Latin-1 'e acute' (0xE9): a valid file name on Linux, not UTF-8; written by the shell
    // because a Java string cannot name it
    Process p =
        new ProcessBuilder(
                "sh",
                "-c",
                "mkdir -p scripts && printf 'flyway clean\\n"
                    + "' > \"scripts/caf$(printf '\\351').sh\"")
            .directory(dir.toFile())
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    repo.commit();

    ScanReport r = repo.scan();

    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals(UnreadableFile.ID))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.file()).isEqualTo("scripts/caf\\xE9.sh");
              assertThat(f.message()).contains("not UTF-8", "Instead:");
            });
    assertThat(r.errors()).isPositive();
  }

  @Test
  @DisplayName("G5: a script padded past the size limit, or with a NUL byte, fails the scan")
  void paddedAndNulScripts() throws Exception {
    byte[] padded =
        ("#!/bin/sh\nflyway -url=\"$PROD_DATABASE_URL\" clean\n" + " ".repeat(3 * 1024 * 1024))
            .getBytes(StandardCharsets.UTF_8);
    Repo repo =
        new Repo(dir)
            .bytes("scripts/big.sh", padded)
            .bytes("deploy/run", "#!/bin/sh\n\0mvn flyway:clean\n".getBytes(StandardCharsets.UTF_8))
            .bytes("assets/video.mp4", new byte[3 * 1024 * 1024])
            .commit();

    ScanReport r = repo.scan();

    assertThat(Repo.positions(r, UnreadableFile.ID))
        .containsExactlyInAnyOrder("scripts/big.sh:1:1", "deploy/run:1:1");
    assertThat(r.findings())
        .filteredOn(f -> f.file().equals("scripts/big.sh"))
        .extracting(Finding::message)
        .anyMatch(m -> m.contains("larger than"));
    assertThat(r.skipped()).extracting(ScanReport.Skipped::path).contains("assets/video.mp4");
  }

  @Test
  @DisplayName(
      "G5: prodguard's own .prodguard/ output is not scanned after git add -A, and says so")
  void prodguardOutputIsNotScanned() throws Exception {
    Repo repo =
        new Repo(dir)
            .file(
                ".prodguard/audit.jsonl",
                "{\"refused\":\"CI=true set by hand\",\"command\":\"flyway clean\","
                    + "\"hint\":\"SKIP_CI_CHECK\"}\n")
            .file(".prodguard/backups/prod-20261130.pgdump.sha256", "abc  CI=true\n")
            .file(".prodguard/hook.sh", "#!/bin/sh\nexport CI=true\n")
            .commit();

    ScanReport r = repo.scan();

    // not read: only committed-prodguard-output names them, no rule judged their text
    assertThat(r.findings())
        .filteredOn(f -> !f.rule().equals(CommittedProdguardOutput.ID))
        .noneMatch(f -> f.file().startsWith(".prodguard/audit"))
        .noneMatch(f -> f.file().startsWith(".prodguard/backups/"));
    // any other file in the folder is still the repository's
    assertThat(r.findings()).anyMatch(f -> f.file().equals(".prodguard/hook.sh"));
    assertThat(r.skipped())
        .filteredOn(s -> s.path().equals(".prodguard/audit.jsonl"))
        .singleElement()
        .satisfies(s -> assertThat(s.reason()).contains(".gitignore"));
  }

  @Test
  @DisplayName(
      "G5: a committed .prodguard/ (audit log, backup dump) is an error finding, in the text"
          + " report too, not only '2 skipped' (new user 23: exit 0)")
  void committedProdguardOutputIsAFinding() throws Exception {
    Repo repo =
        new Repo(dir)
            .file(".prodguard/audit.jsonl", "{\"refused\":\"G1\"}\n")
            .bytes(".prodguard/backups/prod-run-1.dump", new byte[] {'P', 'G', 'D', 'M', 'P', 0})
            .commit();

    ScanReport r = repo.scan();

    assertThat(Repo.positions(r, CommittedProdguardOutput.ID))
        .containsExactlyInAnyOrder(
            ".prodguard/audit.jsonl:1:1", ".prodguard/backups/prod-run-1.dump:1:1");
    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals(CommittedProdguardOutput.ID))
        .allMatch(f -> f.severity() == Severity.ERROR)
        .allMatch(f -> f.message().contains(".gitignore"));
    String text = new ScanReportWriter("test").write(r, dev.prodguard.findings.OutputFormat.text);
    assertThat(text)
        .contains(".prodguard/backups/prod-run-1.dump:1:1")
        .contains("committed-prodguard-output")
        .contains(".gitignore");
  }

  @Test
  @DisplayName(
      "G5: a locations finding names the one fix, the callback's folder to add"
          + " (classpath:db/migration), not the rule's generic list of Flyway defaults")
  void locationsFindingNamesTheCallbackFolder() throws Exception {
    Repo repo =
        new Repo(dir)
            .file(
                "prodguard.yml",
                "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n"
                    + "migrations:\n  locations: [src/main/resources/db/migration]\n")
            .file(
                "src/main/resources/application.properties",
                "spring.flyway.locations=classpath:db/other\n")
            .file("flyway.toml", "[flyway]\nlocations = [\"filesystem:sql\"]\n")
            .commit();

    ScanReport r = repo.scan();

    List<Finding> locations =
        r.findings().stream()
            .filter(f -> f.rule().equals("flyway-unsafe-setting"))
            .filter(f -> f.message().contains("locations"))
            .toList();
    assertThat(locations).hasSize(2);
    assertThat(locations)
        .filteredOn(f -> f.file().endsWith("application.properties"))
        .singleElement()
        .satisfies(
            f ->
                assertThat(f.message())
                    .contains("Instead: add classpath:db/migration")
                    .contains("spring.flyway.locations=classpath:db/other,classpath:db/migration")
                    .doesNotContain("Keep Flyway's safe defaults"));
    assertThat(locations)
        .filteredOn(f -> f.file().equals("flyway.toml"))
        .singleElement()
        .satisfies(f -> assertThat(f.message()).contains("Instead: add classpath:db/migration"));
  }

  @Test
  @DisplayName("G5: several integrity problems fit on one screen: no paragraph repeated")
  void integrityOneScreen() throws Exception {
    Path repo =
        ScanFixtures.copy(ScanFixtures.ROOT.resolve("prodguard-integrity/broken/repo"), dir);
    ScanReport r = new Scanner().scan(repo);
    List<Finding> integrity =
        r.findings().stream().filter(f -> f.rule().equals(ProdguardIntegrity.ID)).toList();
    assertThat(integrity).hasSize(3);
    String all = String.join("\n", integrity.stream().map(Finding::message).toList());
    assertThat(all).doesNotContain(new ProdguardIntegrity().why());
    for (Finding f : integrity) {
      assertThat(f.message().length()).as(f.message()).isLessThan(320);
      assertThat(f.message()).contains("Instead:");
    }
    assertThat(all)
        .contains("(G4)", "(G2)", "(G6)")
        .contains("prodguard init-fingerprint prod --write-config");
  }

  @Test
  @DisplayName(
      "G5: test code on its own throwaway database is a warning that says why; main code, test"
          + " code naming a database and test sets without throwaway databases stay errors")
  void testCodeOnThrowawayDatabases() {
    Path repo =
        ScanFixtures.copy(
            ScanFixtures.ROOT.resolve("direct-migration-call/test-databases/repo"), dir);
    ScanReport r = new Scanner().scan(repo);

    assertThat(r.findings())
        .filteredOn(f -> f.file().endsWith("OrderDaoTest.java"))
        .hasSize(2)
        .allSatisfy(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.WARNING);
              assertThat(f.message())
                  .contains(
                      "throwaway databases (Testcontainers in"
                          + " app/src/test/java/com/acme/Containers.java)")
                  .contains("cannot reach a protected database");
            });
    assertThat(r.findings())
        .filteredOn(f -> f.file().endsWith("application-test.yml"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.rule()).isEqualTo("flyway-unsafe-setting");
              assertThat(f.severity()).isEqualTo(Severity.WARNING);
            });
    for (String stillError : List.of("ProdSmokeTest.java", "ReportDaoTest.java", "Boot.java")) {
      assertThat(r.findings())
          .filteredOn(f -> f.file().endsWith(stillError))
          .as(stillError)
          .isNotEmpty()
          .allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.ERROR));
    }
    // the real one in main code: baselineOnMigrate(true) and migrate()
    assertThat(r.findings())
        .filteredOn(f -> f.file().endsWith("Boot.java"))
        .extracting(Finding::rule)
        .containsExactlyInAnyOrder("flyway-unsafe-setting", "direct-migration-call");
    assertThat(r.failed()).isTrue();
  }
}
