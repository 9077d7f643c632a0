package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.findings.Severity;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Only reviewed contract entries cover a finding; an entry that covers nothing is an error. */
@DisplayName("G5: findings cannot be silenced inline, only by a reviewed scan-exception")
class ScanExceptionsTest {
  @TempDir Path dir;

  private Repo repo() {
    return new Repo(dir)
        .file("scripts/release.sh", "#!/bin/sh\n./prodguard promote prod --skip-backup\n")
        .file("scripts/ops/hotfix.sh", "#!/bin/sh\nexport SKIP_CI_CHECK=1\n");
  }

  private static String contract(String entries) {
    return "version: 1\nscan-exceptions:\n" + entries;
  }

  @Test
  @DisplayName("G5: an exception for the exact path and rule covers the finding, with its reason")
  void exactPathCovers() {
    ScanReport r =
        repo()
            .file(
                "prodguard-contract.yml",
                contract(
                    "  - { path: scripts/release.sh, rule: bypass-flag, reason: \"reviewed\" }\n"))
            .scan();
    assertThat(Repo.positions(r, "bypass-flag")).containsExactly("scripts/ops/hotfix.sh:2:8");
    assertThat(r.excepted())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.finding().position()).isEqualTo("scripts/release.sh:2:28");
              assertThat(e.reason()).isEqualTo("reviewed");
              assertThat(e.contractLine()).isEqualTo(3);
            });
    assertThat(Repo.positions(r, "unused-scan-exception")).isEmpty();
  }

  @Test
  @DisplayName("G5: a glob covers what it matches and no more (scripts/*.sh is not scripts/ops/)")
  void globs() {
    ScanReport one =
        repo()
            .file(
                "prodguard-contract.yml",
                contract("  - { path: \"scripts/*.sh\", rule: bypass-flag, reason: r }\n"))
            .scan();
    assertThat(Repo.positions(one, "bypass-flag")).containsExactly("scripts/ops/hotfix.sh:2:8");

    ScanReport all =
        repo()
            .file(
                "prodguard-contract.yml",
                contract("  - { path: \"scripts/**\", rule: bypass-flag, reason: r }\n"))
            .scan();
    assertThat(Repo.positions(all, "bypass-flag")).isEmpty();
    assertThat(all.excepted()).hasSize(2);
    assertThat(all.failed()).isFalse();
  }

  @Test
  @DisplayName("G5: an exception for another rule covers nothing and is itself an error")
  void otherRuleDoesNotCover() {
    ScanReport r =
        repo()
            .file(
                "prodguard-contract.yml",
                contract("  - { path: scripts/release.sh, rule: ci-true-outside-ci, reason: r }\n"))
            .scan();
    assertThat(Repo.positions(r, "bypass-flag")).hasSize(2);
    assertThat(Repo.positions(r, "unused-scan-exception"))
        .containsExactly("prodguard-contract.yml:3:1");
    assertThat(r.findings().stream().filter(f -> f.rule().equals("unused-scan-exception")))
        .allSatisfy(
            f -> {
              assertThat(f.severity()).isEqualTo(Severity.ERROR);
              assertThat(f.message()).contains("matches no finding");
            });
  }

  @Test
  @DisplayName("G5: an exception for a path without findings, or an unknown rule, is an error")
  void unusedAndUnknown() {
    ScanReport r =
        repo()
            .file(
                "prodguard-contract.yml",
                contract(
                    "  - { path: scripts/release.sh, rule: bypass-flag, reason: r }\n"
                        + "  - { path: scripts/ops/hotfix.sh, rule: bypass-flag, reason: r }\n"
                        + "  - { path: docs/gone.md, rule: direct-migration-call, reason: r }\n"
                        + "  - { path: scripts/release.sh, rule: bypas-flag, reason: typo }\n"))
            .scan();
    assertThat(Repo.positions(r, "bypass-flag")).isEmpty();
    assertThat(Repo.positions(r, "unused-scan-exception"))
        .containsExactly("prodguard-contract.yml:5:1", "prodguard-contract.yml:6:1");
    assertThat(r.findings().get(1).message()).contains("names no rule", "bypass-flag");
    assertThat(r.failed()).isTrue();
  }

  @Test
  @DisplayName("G5: the unused-exception error cannot be excepted away")
  void unusedCannotBeExcepted() {
    ScanReport r =
        new Repo(dir)
            .file(
                "prodguard-contract.yml",
                contract(
                    "  - { path: prodguard-contract.yml, rule: unused-scan-exception, reason: r }\n"))
            .scan();
    assertThat(Repo.positions(r, "unused-scan-exception"))
        .containsExactly("prodguard-contract.yml:3:1");
    assertThat(r.excepted()).isEmpty();
  }

  @Test
  @DisplayName("G5: inline comments do not suppress a finding")
  void noInlineSuppression() {
    ScanReport r =
        new Repo(dir)
            .file(
                ".env",
                "SKIP_CI_CHECK=1 # prodguard:ignore bypass-flag\n"
                    + "# prodguard-disable-next-line\n"
                    + "FORCE_MIGRATION=1\n")
            .file(
                "src/main/java/A.java",
                "class A {\n  @SuppressWarnings(\"bypass-flag\") // NOSONAR prodguard:ignore\n"
                    + "  boolean skipFingerprintCheck = true;\n}\n")
            .scan();
    assertThat(Repo.positions(r, "bypass-flag"))
        .containsExactly(".env:1:1", ".env:3:1", "src/main/java/A.java:3:11");
  }
}
