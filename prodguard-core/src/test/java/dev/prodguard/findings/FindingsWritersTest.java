package dev.prodguard.findings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One writer per format, for lint's and scan's findings alike. */
@DisplayName("Findings: one writer per format for lint and scan")
class FindingsWritersTest {
  private static final RuleInfo DROP =
      RuleInfo.of(
          "drop-table", Severity.WARNING, "G4", "Dropping a table.", "Rows go.", "Expand first.");
  private static final RuleInfo BYPASS =
      RuleInfo.of("some-rule", Severity.ERROR, "G5", "Bypass names", "Why.", "Remove it.");

  /** Lint-like: a recipe apart from the message, a migration id, one covered finding. */
  private static final Finding LINT_ERROR =
      new Finding(
          "drop-table",
          Severity.ERROR,
          new Location("db/V3__x.sql", 3, 1),
          "V3",
          "DROP TABLE a",
          "DROP TABLE a",
          "Expand first.",
          "G4",
          null);

  private static final Finding LINT_COVERED =
      LINT_ERROR
          .withLocation(new Location("db/V4 y.sql", 1, 5))
          .withCover(new Cover("unused since V2", new Location("prodguard-contract.yml", 7, 1)));

  /** Scan-like: the message says what to do instead, no recipe of its own. */
  private static final Finding SCAN =
      Finding.of(BYPASS, new Location("Makefile", 2, 17), "Found <&>. Why. Instead: x", "a=1");

  @Test
  @DisplayName("json: a streamed report is byte for byte the tree's, for lint and scan shapes")
  void streamedJsonIsTheTreesText() {
    Finding odd =
        new Finding(
            "unknown-statement",
            Severity.WARNING,
            new Location("db/V5__\u00e9t\u00e9 \ud83d\ude00.sql", 9, 2),
            null,
            "tab\there, quote \" and backslash \\, control \u0001, line\nbreak",
            "\u00ab\ud83d\ude00\u00bb </script>",
            null,
            "G4",
            null);
    Finding coveredNoEntry = LINT_ERROR.withCover(new Cover("reviewed", null));
    List<Finding> all = List.of(LINT_ERROR, LINT_COVERED, SCAN, odd, coveredNoEntry);
    for (JsonWriter.Shape shape : List.of(JsonWriter.Shape.LINT, JsonWriter.Shape.SCAN)) {
      for (List<Finding> findings : List.of(all, List.<Finding>of())) {
        var tree = JsonWriter.object();
        tree.put("ok", false);
        tree.put("environment", (String) null);
        tree.putArray("files").add("db/V5__\u00e9t\u00e9 \ud83d\ude00\u2028\u2029.sql");
        tree.put("statements", 12);
        tree.set("findings", JsonWriter.findings(findings, shape));
        tree.putObject("summary").put("errors", 3L);
        JsonStream.Body body =
            g -> {
              g.writeStartObject();
              g.writeBooleanField("ok", false);
              g.writeNullField("environment");
              g.writeArrayFieldStart("files");
              g.writeString("db/V5__\u00e9t\u00e9 \ud83d\ude00\u2028\u2029.sql");
              g.writeEndArray();
              g.writeNumberField("statements", 12);
              JsonStream.findings(g, "findings", findings, shape);
              g.writeObjectFieldStart("summary");
              g.writeNumberField("errors", 3L);
              g.writeEndObject();
              g.writeEndObject();
            };
        String streamed = JsonStream.write(body);
        assertThat(streamed).isEqualTo(JsonWriter.write(tree));
        // lint -o FILE --format json: the same text, written as UTF-8 bytes directly
        assertThat(JsonStream.writeUtf8(body))
            .isEqualTo(JsonWriter.write(tree).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  @DisplayName("text: position, severity, rule and message; excerpt; cover or fix")
  void text() {
    assertThat(TextWriter.findings(List.of(LINT_ERROR, LINT_COVERED, SCAN)))
        .isEqualTo(
            """
            db/V3__x.sql:3:1: error [drop-table] DROP TABLE a
                DROP TABLE a
                fix: Expand first.
            db/V4 y.sql:1:5: covered error [drop-table] DROP TABLE a
                DROP TABLE a
                covered by a contract exception: unused since V2
            Makefile:2:17: error [some-rule] Found <&>. Why. Instead: x
                a=1
            """);
    assertThat(TextWriter.count(1, "error") + ", " + TextWriter.count(2, "warning"))
        .isEqualTo("1 error, 2 warnings");
  }

  @Test
  @DisplayName("json: each command's documented fields")
  void json() throws Exception {
    JsonNode lint =
        JsonWriter.MAPPER.readTree(
            JsonWriter.write(
                JsonWriter.findings(List.of(LINT_ERROR, LINT_COVERED), JsonWriter.Shape.LINT)));
    assertThat(fieldNames(lint.get(0)))
        .containsExactly(
            "rule",
            "severity",
            "file",
            "migration",
            "line",
            "column",
            "message",
            "excerpt",
            "recipe",
            "covered",
            "covered_by");
    assertThat(lint.get(1).get("covered_by").asText()).isEqualTo("unused since V2");
    assertThat(lint.get(0).get("covered_by").isNull()).isTrue();

    JsonNode scan =
        JsonWriter.MAPPER.readTree(
            JsonWriter.write(
                JsonWriter.findings(
                    List.of(
                        SCAN, SCAN.withCover(new Cover("reviewed", new Location("c.yml", 3, 1)))),
                    JsonWriter.Shape.SCAN)));
    assertThat(fieldNames(scan.get(0)))
        .containsExactly("rule", "severity", "path", "line", "column", "excerpt", "message");
    assertThat(scan.get(1).get("reason").asText()).isEqualTo("reviewed");
    assertThat(scan.get(1).get("contract").asText()).isEqualTo("c.yml:3");
  }

  private static List<String> fieldNames(JsonNode o) {
    List<String> names = new java.util.ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  @DisplayName("sarif: rules with index, levels, relative URIs, regions, suppressions")
  void sarif() throws Exception {
    JsonNode log =
        JsonWriter.MAPPER.readTree(
            SarifWriter.write(
                null,
                URI.create("file:///repo/"),
                List.of(DROP, BYPASS),
                List.of(
                    LINT_ERROR, LINT_COVERED, SCAN, SCAN.withLocation(new Location("x", 0, 0)))));
    assertThat(log.get("version").asText()).isEqualTo("2.1.0");
    JsonNode run = log.get("runs").get(0);
    JsonNode rules = run.get("tool").get("driver").get("rules");
    assertThat(rules.get(0).get("name").asText()).isEqualTo("DropTable");
    assertThat(rules.get(0).get("defaultConfiguration").get("level").asText()).isEqualTo("warning");
    assertThat(rules.get(1).get("fullDescription").get("text").asText()).isEqualTo("Why.");
    assertThat(run.get("originalUriBaseIds").get("SRCROOT").get("uri").asText())
        .isEqualTo("file:///repo/");
    JsonNode results = run.get("results");
    assertThat(results.get(0).get("message").get("text").asText())
        .isEqualTo("DROP TABLE a. Fix: Expand first.");
    assertThat(
            results
                .get(1)
                .get("locations")
                .get(0)
                .get("physicalLocation")
                .get("artifactLocation")
                .get("uri")
                .asText())
        .isEqualTo("db/V4%20y.sql");
    assertThat(results.get(1).get("suppressions").get(0).get("justification").asText())
        .isEqualTo("unused since V2 (prodguard-contract.yml:7)");
    assertThat(results.get(2).get("ruleIndex").asInt()).isEqualTo(1);
    assertThat(results.get(2).get("message").get("text").asText())
        .isEqualTo("Found <&>. Why. Instead: x");
    assertThat(results.get(3).get("locations").get(0).get("physicalLocation").has("region"))
        .isFalse();
  }

  @Test
  @DisplayName("junit: passing cases, one case per finding, uncovered errors fail; lint wraps")
  void junit() {
    String scan =
        JunitWriter.write(
            new JunitWriter.Suite("prodguard scan", "scan", false),
            List.of(new JunitWriter.Case("prodguard.scan.x", "x: no findings")),
            List.of(SCAN));
    assertThat(scan)
        .isEqualTo(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuite name="prodguard scan" tests="2" failures="1" errors="0" skipped="0" time="0">
              <testcase classname="prodguard.scan.x" name="x: no findings" time="0"/>
              <testcase classname="prodguard.scan.some-rule" name="Makefile:2:17" file="Makefile" line="2" time="0">
                <failure type="some-rule" message="Found &lt;&amp;&gt;. Why. Instead: x">Found &lt;&amp;&gt;. Why. Instead: x
            Makefile:2:17
              a=1</failure>
              </testcase>
            </testsuite>
            """);
    String lint =
        JunitWriter.write(
            new JunitWriter.Suite("prodguard lint", "lint", true),
            List.of(),
            List.of(LINT_COVERED));
    assertThat(lint)
        .startsWith(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"prodguard lint\""
                + " tests=\"1\" failures=\"0\" errors=\"0\">\n  <testsuite")
        .contains("<system-out>covered by a contract exception: unused since V2\n")
        .contains("fix: Expand first.</system-out>")
        .endsWith("  </testsuite>\n</testsuites>\n");
    assertThat(JunitWriter.esc("a\u0001b\"'")).isEqualTo("a?b&quot;&apos;");
  }
}
