package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code prodguard scan} run from the shaded jar: exit codes and every output format. */
@DisplayName("CLI end to end: prodguard scan (G5)")
class ScanCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** Exit code and output of one run of the jar. */
  record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Run prodguard(Path cwd, String... args) throws IOException, InterruptedException {
    String jar = System.getProperty("prodguard.jar");
    assertThat(jar).as("system property prodguard.jar (run through failsafe)").isNotNull();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("HOME", System.getProperty("java.io.tmpdir"));
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  private Path write(String path, String text) throws IOException {
    Path f = dir.resolve(path);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return f;
  }

  private void git(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
  }

  /** A team repository with one finding per rule family, committed to git. */
  private void dirtyRepository() throws Exception {
    write("README.md", "# shop\n");
    write("Makefile", "deploy:\n\tCI=true ./mvnw flyway:migrate\n");
    write(".env.production", "DB_PASSWORD=hunter2-prod\n");
    write("src/main/resources/application.yml", "spring:\n  flyway:\n    clean-disabled: false\n");
    write(
        "prodguard-contract.yml",
        "version: 1\nscan-exceptions:\n"
            + "  - { path: docs/runbook.md, rule: direct-migration-call, reason: \"documents"
            + " the forbidden command\" }\n");
    write("docs/runbook.md", "Never run `flyway migrate` by hand.\n");
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init");
  }

  @Test
  @DisplayName("a clean repository exits 0; the command is listed in --help")
  void clean() throws Exception {
    write("README.md", "# shop\n");
    write("src/main/resources/application.properties", "spring.jpa.hibernate.ddl-auto=validate\n");
    Run r = prodguard(dir, "scan", ".");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("2 files scanned", "0 errors", "ok");
    Run help = prodguard(dir, "--help");
    assertThat(help.out()).contains("scan");
    Run scanHelp = prodguard(dir, "scan", "--help");
    assertThat(scanHelp.exit()).isZero();
    assertThat(scanHelp.out()).contains("--format", "sarif", "junit");
  }

  @Test
  @DisplayName("findings exit 1 and name file, line, column, rule, why and what instead")
  void textFindings() throws Exception {
    dirtyRepository();
    Run r = prodguard(dir, "scan"); // DIR defaults to the current directory
    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "Makefile:2:2: error [ci-true-outside-ci]",
            "Makefile:2:17: error [direct-migration-call]",
            ".env.production:1:1: error [committed-credentials]",
            "src/main/resources/application.yml:3:5: error [flyway-unsafe-setting]",
            "Instead",
            "1 covered by the contract's scan-exceptions",
            "FAILED");
    assertThat(r.all()).doesNotContain("hunter2");
  }

  @Test
  @DisplayName("--format json parses, with findings, summary and applied exceptions")
  void json() throws Exception {
    dirtyRepository();
    Run r = prodguard(dir, "scan", dir.toString(), "--format", "json");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    JsonNode root = JSON.readTree(r.out());
    assertThat(root.path("summary").path("errors").asInt()).isEqualTo(4);
    assertThat(root.path("summary").path("failed").asBoolean()).isTrue();
    Map<String, String> byRule = new TreeMap<>();
    for (JsonNode f : root.path("findings")) {
      assertThat(f.path("severity").asText()).isEqualTo("error");
      assertThat(f.path("message").asText()).isNotBlank();
      byRule.put(
          f.path("rule").asText(),
          f.path("path").asText() + ":" + f.path("line").asInt() + ":" + f.path("column").asInt());
    }
    assertThat(byRule)
        .containsEntry("ci-true-outside-ci", "Makefile:2:2")
        .containsEntry("direct-migration-call", "Makefile:2:17")
        .containsEntry("committed-credentials", ".env.production:1:1")
        .containsEntry("flyway-unsafe-setting", "src/main/resources/application.yml:3:5");
    JsonNode excepted = root.path("excepted").get(0);
    assertThat(excepted.path("path").asText()).isEqualTo("docs/runbook.md");
    assertThat(excepted.path("reason").asText()).isEqualTo("documents the forbidden command");
    assertThat(r.out()).doesNotContain("hunter2");
  }

  @Test
  @DisplayName("--format sarif is SARIF 2.1.0 with rules, results, locations and suppressions")
  void sarif() throws Exception {
    dirtyRepository();
    Run r = prodguard(dir, "scan", ".", "--format", "sarif");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    JsonNode root = JSON.readTree(r.out());
    assertThat(root.path("version").asText()).isEqualTo("2.1.0");
    assertThat(root.path("$schema").asText()).contains("sarif-2.1.0");
    JsonNode run = root.path("runs").get(0);
    JsonNode driver = run.path("tool").path("driver");
    assertThat(driver.path("name").asText()).isEqualTo("prodguard");
    List<String> ruleIds = new ArrayList<>();
    for (JsonNode rule : driver.path("rules")) {
      ruleIds.add(rule.path("id").asText());
      assertThat(rule.path("shortDescription").path("text").asText()).isNotBlank();
      assertThat(rule.path("help").path("text").asText()).isNotBlank();
    }
    assertThat(ruleIds)
        .contains(
            "bypass-flag",
            "ci-true-outside-ci",
            "direct-migration-call",
            "protected-url-reference",
            "flyway-unsafe-setting",
            "schema-generation",
            "committed-credentials",
            "prodguard-integrity",
            "unused-scan-exception");
    int open = 0;
    int suppressed = 0;
    for (JsonNode res : run.path("results")) {
      String ruleId = res.path("ruleId").asText();
      assertThat(ruleIds.get(res.path("ruleIndex").asInt())).isEqualTo(ruleId);
      assertThat(res.path("level").asText()).isEqualTo("error");
      assertThat(res.path("message").path("text").asText()).isNotBlank();
      JsonNode loc = res.path("locations").get(0).path("physicalLocation");
      assertThat(loc.path("artifactLocation").path("uri").asText()).isNotBlank();
      assertThat(loc.path("region").path("startLine").asInt()).isPositive();
      assertThat(loc.path("region").path("startColumn").asInt()).isPositive();
      if (res.has("suppressions")) {
        suppressed++;
        assertThat(loc.path("artifactLocation").path("uri").asText()).isEqualTo("docs/runbook.md");
      } else {
        open++;
      }
    }
    assertThat(open).isEqualTo(4);
    assertThat(suppressed).isEqualTo(1);
    assertThat(r.out()).doesNotContain("hunter2");
  }

  @Test
  @DisplayName("--format junit is JUnit XML: one failing testcase per finding, passing rules")
  void junit() throws Exception {
    dirtyRepository();
    Run r = prodguard(dir, "scan", ".", "--format", "junit");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.UTF_8)));
    Element suite = doc.getDocumentElement();
    assertThat(suite.getTagName()).isEqualTo("testsuite");
    assertThat(suite.getAttribute("failures")).isEqualTo("4");
    NodeList cases = suite.getElementsByTagName("testcase");
    assertThat(Integer.parseInt(suite.getAttribute("tests"))).isEqualTo(cases.getLength());
    NodeList failures = suite.getElementsByTagName("failure");
    assertThat(failures.getLength()).isEqualTo(4);
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < failures.getLength(); i++) {
      Element failure = (Element) failures.item(i);
      Element testcase = (Element) failure.getParentNode();
      failed.add(testcase.getAttribute("name"));
      assertThat(failure.getAttribute("message")).isNotBlank();
    }
    assertThat(failed)
        .containsExactlyInAnyOrder(
            ".env.production:1:1",
            "Makefile:2:2",
            "Makefile:2:17",
            "src/main/resources/application.yml:3:5");
    assertThat(r.out()).doesNotContain("hunter2").contains("bypass-flag: no findings");
  }

  @Test
  @DisplayName("--output writes the report to a file; the summary goes to stderr")
  void outputFile() throws Exception {
    dirtyRepository();
    Path report = dir.resolve("build/scan.sarif");
    Files.createDirectories(report.getParent());
    Run r = prodguard(dir, "scan", ".", "--format", "sarif", "--output", report.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("4 error(s)");
    assertThat(JSON.readTree(Files.readString(report)).path("version").asText()).isEqualTo("2.1.0");
  }

  @Test
  @DisplayName("usage and configuration errors exit 2: missing DIR, bad format, broken contract")
  void usageErrors() throws Exception {
    Run missing = prodguard(dir, "scan", "no-such-dir");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("not a directory");

    Run format = prodguard(dir, "scan", ".", "--format", "xml");
    assertThat(format.exit()).isEqualTo(2);
    assertThat(format.err()).contains("--format");

    write(
        "prodguard-contract.yml",
        "version: 1\nscan-exceptions:\n  - { path: a, rule: bypass-flag }\n");
    Run contract = prodguard(dir, "scan", ".");
    assertThat(contract.exit()).isEqualTo(2);
    assertThat(contract.err()).contains("prodguard-contract.yml:3", "reason");
  }

  @Test
  @DisplayName("a prodguard-managed repository without contract or callback fails the scan")
  void integrity() throws Exception {
    write(
        "prodguard.yml",
        "environments:\n  prod:\n    url: ${PROD_DATABASE_URL}\n    protected: true\n");
    Run r = prodguard(dir, "scan", ".", "--format", "json");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    List<String> messages = new ArrayList<>();
    for (JsonNode f : JSON.readTree(r.out()).path("findings")) {
      assertThat(f.path("rule").asText()).isEqualTo("prodguard-integrity");
      messages.add(f.path("message").asText());
    }
    assertThat(String.join("\n", messages))
        .contains(
            "prodguard-contract.yml is missing",
            "no fingerprint",
            "beforeEachMigrate.sql is missing");
  }
}
