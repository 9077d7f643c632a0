package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.scan.rules.BypassFlag;
import dev.prodguard.scan.rules.CommittedCredentials;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vendored, minified web assets (jquery.min.js, bootstrap.min.css, source maps, webjars) hold a
 * library's own options and sample URLs: they are not bypass flags or committed credentials. The
 * shapes below were found in real repositories (sven2101/leadPlus, alfio-event/alf.io) and
 * rewritten here. What names prodguard, Flyway or a database stays a finding wherever it is, and a
 * readable (not minified) file or a script is read as before.
 */
@DisplayName("G5: vendored minified web assets are quiet, and hide no bypass")
class G5VendoredWebAssetsTest {
  @TempDir Path dir;

  /** One minified line: {@code body} among enough library code to be a minified line. */
  static String minified(String body) {
    StringBuilder b = new StringBuilder("/*! lib v1 */\n!function(a){");
    while (b.length() < 1500) {
      b.append("var x").append(b.length()).append("=a.fn&&a.fn.call(this,1,2,3);");
    }
    return b.append(body).append("}(window);\n").toString();
  }

  @Test
  @DisplayName("G5: library options in minified .js/.css/.map are not bypass flags")
  void minifiedLibraryOptionsAreQuiet() {
    ScanReport r =
        new Repo(dir)
            .file(
                "src/main/resources/static/js/jquery.sparkline.min.js",
                minified("var o={tooltipPrefix:\"\",disableHiddenCheck:!1};"))
            .file(
                "frontend/assets/css/bootstrap.min.css",
                ".x{}".repeat(300) + ".form-check.disabled .form-check-label{color:#6c757d}\n")
            .file(
                "webapp/bower_components/angular/angular.min.js.map",
                "{\"version\":3,\"names\":[\"recursionFn\",\"skipWatchIdCheck\",\""
                    + "a".repeat(1200)
                    + "\"]}\n")
            .scan();

    assertThat(Repo.positions(r, BypassFlag.ID)).isEmpty();
  }

  @Test
  @DisplayName("G5: a sample URL with a password for a documentation host is not a credential")
  void documentationHostsAreSamples() {
    ScanReport r =
        new Repo(dir)
            .file(
                "frontend/assets/js/unbundled/angular.js",
                "/**\n * // given url http://user:secret@example.com:8080/#/some/path\n */\n"
                    + "var u = 'https://admin:hunter2@api.example.org/v1';\n"
                    + "var t = 'postgres://app:pw@db.test/app';\n")
            .file(
                "src/main/resources/static/js/app.min.js",
                minified("var d='https://user:pass@cdn.realhost.io/lib';"))
            .scan();

    assertThat(Repo.positions(r, CommittedCredentials.ID)).isEmpty();
  }

  @Test
  @DisplayName("G5: prodguard and Flyway switches and database URLs in minified code are reported")
  void deployKeysInMinifiedCodeStayFindings() {
    ScanReport r =
        new Repo(dir)
            .file(
                "src/main/resources/static/js/app.min.js",
                minified(
                    "var s=process.env.SKIP_PRODGUARD_CHECK,f=process.env.FLYWAY_SKIP_CHECK,"
                        + "u='jdbc:postgresql://db.prod.internal/app?password=s3cret';"))
            .scan();

    assertThat(r.findings())
        .filteredOn(f -> f.rule().equals(BypassFlag.ID))
        .extracting(f -> f.message())
        .anyMatch(m -> m.contains("SKIP_PRODGUARD_CHECK"))
        .anyMatch(m -> m.contains("FLYWAY_SKIP_CHECK"));
    assertThat(Repo.positions(r, CommittedCredentials.ID)).hasSize(1);
  }

  @Test
  @DisplayName("G5: readable code, scripts named like assets and real hosts are read as before")
  void notMinifiedOrNotAnAssetIsReadAsBefore() {
    ScanReport r =
        new Repo(dir)
            // hand-written JS: short lines
            .file("src/main/resources/static/js/app.js", "var skipCiCheck = true;\n")
            // a shell script named like an asset, one long line: a #! line makes it a script
            .file("ci/run.min.js", "#!/bin/sh\n" + "SKIP_CI_CHECK=1 " + "x".repeat(1200) + "\n")
            // a long line in a file that is not a web asset
            .file("deploy/settings.conf", "skip_backup_check=true # " + "x".repeat(1200) + "\n")
            // a real host in readable web code
            .file("src/main/resources/static/js/api.js", "var u='https://u:pw@api.realhost.io/';\n")
            .scan();

    assertThat(Repo.positions(r, BypassFlag.ID))
        .containsExactlyInAnyOrder(
            "src/main/resources/static/js/app.js:1:5",
            "ci/run.min.js:2:1",
            "deploy/settings.conf:1:1");
    assertThat(Repo.positions(r, CommittedCredentials.ID))
        .containsExactly("src/main/resources/static/js/api.js:1:8");
  }
}
