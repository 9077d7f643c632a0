package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigException;
import dev.prodguard.findings.OutputFormat;
import dev.prodguard.scan.rules.Rules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a scan reads, and how it reads them. */
@DisplayName("G5: the scan covers exactly the repository's text files")
class ScannerTest {
  @TempDir Path dir;

  @Test
  @DisplayName("in a git repository only tracked files are scanned")
  void gitTrackedOnly() throws Exception {
    Repo repo =
        new Repo(dir)
            .file("tracked.sh", "export SKIP_CI_CHECK=1\n")
            .file("gone.sh", "export SKIP_CI_CHECK=1\n")
            .commit();
    repo.file("untracked.sh", "export SKIP_CI_CHECK=1\n");
    repo.file("target/generated.sh", "export SKIP_CI_CHECK=1\n");
    Files.delete(dir.resolve("gone.sh")); // tracked, deleted in the work tree
    ScanReport r = repo.scan();
    assertThat(Repo.positions(r, "bypass-flag")).containsExactly("tracked.sh:1:8");
    assertThat(r.filesScanned()).isEqualTo(1);
  }

  @Test
  @DisplayName("a subdirectory of a git repository is scanned with paths relative to it")
  void gitSubdirectory() {
    Repo repo =
        new Repo(dir)
            .file("service/scripts/a.sh", "export SKIP_CI_CHECK=1\n")
            .file("other/b.sh", "export SKIP_CI_CHECK=1\n")
            .commit();
    ScanReport r = new Scanner().scan(repo.root.resolve("service"));
    assertThat(Repo.positions(r, "bypass-flag")).containsExactly("scripts/a.sh:1:8");
  }

  @Test
  @DisplayName("outside git every file is scanned except .git folders")
  void withoutGit() {
    ScanReport r =
        new Repo(dir)
            .file("a.sh", "export SKIP_CI_CHECK=1\n")
            .file("vendor/lib/.git/hooks/pre-commit", "#!/bin/sh\nexport SKIP_CI_CHECK=1\n")
            .file("vendor/lib/b.sh", "export SKIP_CI_CHECK=1\n")
            .scan();
    assertThat(Repo.positions(r, "bypass-flag")).containsExactly("a.sh:1:8", "vendor/lib/b.sh:1:8");
  }

  @Test
  @DisplayName("binaries (a NUL byte in the first 8 KiB) and files over the size limit are skipped")
  void binaryAndLarge() {
    byte[] binary = "SKIP_CI_CHECK=1\n\0\1\2".getBytes(StandardCharsets.ISO_8859_1);
    byte[] lateNul = new byte[9000];
    Arrays.fill(lateNul, (byte) ' ');
    byte[] text = "SKIP_CI_CHECK=1\n".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, lateNul, 0, text.length);
    lateNul[8999] = 0;
    String big = "SKIP_CI_CHECK=1\n" + "#".repeat(20_000) + "\n";
    Repo repo =
        new Repo(dir)
            .bytes("image.bin", binary)
            .bytes("late.env", lateNul)
            .file("big.env", big)
            .file("big.dat", big)
            .file("small.env", "SKIP_CI_CHECK=1\n");
    ScanReport r = new Scanner(Rules.all(), 16_384).scan(repo.root);
    assertThat(Repo.positions(r, "bypass-flag")).containsExactly("small.env:1:1");
    // files that could hold settings (env files) and cannot be read fail the scan (issue 15);
    // data files are skipped and listed
    assertThat(Repo.positions(r, "unreadable-file")).containsExactly("big.env:1:1", "late.env:1:1");
    assertThat(r.skipped())
        .extracting(ScanReport.Skipped::path, ScanReport.Skipped::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("big.dat", "larger than 16384 bytes"),
            org.assertj.core.groups.Tuple.tuple("image.bin", "binary"));
    assertThat(Scanner.DEFAULT_MAX_BYTES).isEqualTo(2L * 1024 * 1024);
  }

  @Test
  @DisplayName("an executable Flash movie or image is data; an executable script named so is not")
  void executableBinaryDataIsSkipped() {
    // alf.io's vendored FileAPI.flash.swf is committed with mode 755 and has a NUL at byte 7
    byte[] swf = "FWS\n\u00e8\u0003\0\0x\0".getBytes(StandardCharsets.ISO_8859_1);
    byte[] png = "\u0089PNG\r\n\u001a\n\0\0".getBytes(StandardCharsets.ISO_8859_1);
    byte[] fake = "flyway clean\n\0x".getBytes(StandardCharsets.ISO_8859_1);
    Repo repo =
        new Repo(dir)
            .bytes("web/FileAPI.flash.swf", swf)
            .bytes("web/logo.png", png)
            .bytes("tools/clean.swf", fake);
    for (String f : java.util.List.of("web/FileAPI.flash.swf", "web/logo.png", "tools/clean.swf")) {
      assertThat(repo.root.resolve(f).toFile().setExecutable(true)).isTrue();
    }
    ScanReport r = repo.scan();
    assertThat(Repo.positions(r, "unreadable-file")).containsExactly("tools/clean.swf:1:1");
    assertThat(r.skipped())
        .extracting(ScanReport.Skipped::path)
        .containsExactly("web/FileAPI.flash.swf", "web/logo.png");
  }

  @Test
  @DisplayName(
      "a missing directory, a malformed prodguard.yml or contract are configuration errors")
  void configurationErrors() {
    assertThatThrownBy(() -> new Scanner().scan(dir.resolve("nope")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not a directory");
    new Repo(dir).file("prodguard-contract.yml", "version: 1\nscan-exceptions:\n  - { path: a }\n");
    assertThatThrownBy(() -> new Scanner().scan(dir))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).line()).isEqualTo(3));
    new Repo(dir)
        .file("prodguard-contract.yml", "version: 1\n")
        .file("prodguard.yml", "environments:\n  prod:\n    url: ${P}\n    colour: red\n");
    assertThatThrownBy(() -> new Scanner().scan(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("colour");
  }

  @Test
  @DisplayName("YAML that snakeyaml cannot parse (a Helm template) is still read, by indentation")
  void templatedYaml() {
    ScanReport r =
        new Repo(dir)
            .file(
                "chart/templates/config.yaml",
                "{{- if .Values.flyway }}\nspring:\n  flyway:\n    clean-disabled: false\n"
                    + "    url: {{ .Values.url }}\n{{- end }}\n")
            .scan();
    assertThat(Repo.positions(r, "flyway-unsafe-setting"))
        .containsExactly("chart/templates/config.yaml:4:5");
  }

  @Test
  @DisplayName("Spring multi-document properties carry their profile (#--- / on-profile)")
  void multiDocumentProperties() {
    ScanReport r =
        new Repo(dir)
            .file(
                "src/test/resources/application.properties",
                "spring.jpa.hibernate.ddl-auto=create-drop\n#---\n"
                    + "spring.config.activate.on-profile=production\n"
                    + "spring.jpa.hibernate.ddl-auto=update\n")
            .scan();
    assertThat(Repo.positions(r, "schema-generation"))
        .containsExactly("src/test/resources/application.properties:4:1");
  }

  @Test
  @DisplayName("findings never print a committed password, in any field")
  void redaction() {
    ScanReport r =
        new Repo(dir)
            .file(".env.production", "DB_PASSWORD=hunter2-prod\nAPI_TOKEN=abc123literal\n")
            .file(
                "config/app.yml",
                "db:\n  url: postgresql://app:Sup3rSecret@db.internal/app\n"
                    + "  other: jdbc:mysql://db.internal/app?user=a&password=plainpw\n")
            .file("config/prod/secret.properties", "client-secret=t0psecret\n")
            .scan();
    assertThat(r.findings()).hasSize(5);
    for (OutputFormat format : OutputFormat.values()) {
      String out = new ScanReportWriter("test").write(r, format);
      assertThat(out)
          .as(format.name())
          .doesNotContain("hunter2", "abc123literal", "Sup3rSecret", "plainpw", "t0psecret");
    }
  }
}
