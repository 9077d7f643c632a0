package dev.prodguard.findings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.RuleIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rule tables of docs/lint.md and docs/scan.md are generated from the rule registries, between
 * the marker comments; this test fails when a table differs from its registry. {@code
 * -Dprodguard.docs.write=true} rewrites the tables instead.
 */
@DisplayName(
    "Docs: the rule tables of docs/lint.md, docs/scan.md and docs/trace.md are the registries'")
class RuleDocsTest {
  static final String WRITE = "prodguard.docs.write";
  static final String REGENERATE =
      "./mvnw -pl prodguard-core -am test -Dtest=RuleDocsTest -Dsurefire.failIfNoSpecifiedTests=false"
          + " -D"
          + WRITE
          + "=true";

  private static final Path DOCS = Path.of("..", "docs");

  @Test
  @DisplayName("docs/lint.md lists every lint rule with its severity, why and recipe")
  void lint() throws IOException {
    check(DOCS.resolve("lint.md"), "lint", RuleDocsTest::lintTable);
  }

  @Test
  @DisplayName("docs/scan.md lists every scan rule with what it finds, why and what instead")
  void scan() throws IOException {
    check(DOCS.resolve("scan.md"), "scan", RuleDocsTest::scanTable);
  }

  @Test
  @DisplayName("docs/trace.md lists every trace rule with its default severity, why and recipe")
  void trace() throws IOException {
    check(DOCS.resolve("trace.md"), "trace", RuleDocsTest::traceTable);
  }

  @Test
  @DisplayName(
      "the contract's named rule ids and policy lists name registered lint rules; the contract"
          + " also knows the trace rules")
  void contractPolicies() {
    RuleRegistry lint = RuleRegistry.of("lint");
    RuleRegistry trace = RuleRegistry.of("trace");
    assertThat(RuleIds.lint()).isEqualTo(lint.ruleIds()).isNotEmpty();
    assertThat(RuleIds.trace()).isEqualTo(trace.ruleIds()).isNotEmpty();
    assertThat(RuleIds.all())
        .containsExactlyElementsOf(
            java.util.stream.Stream.concat(lint.ruleIds().stream(), trace.ruleIds().stream())
                .toList())
        .doesNotHaveDuplicates();
    assertThat(lint.ruleIds())
        .contains(
            RuleIds.UNKNOWN_STATEMENT,
            RuleIds.DYNAMIC_SQL,
            RuleIds.PROTECTED_TABLE_WRITE,
            RuleIds.TRANSACTION_CONTROL,
            RuleIds.PRODGUARD_OBJECTS)
        .containsAll(RuleIds.DEFAULT_FORBIDDEN)
        .containsAll(RuleIds.ALWAYS_ERROR_ON_PROTECTED)
        .containsAll(RuleIds.NOT_COVERABLE);
    assertThat(lint.reported()).extracting(RuleInfo::id).doesNotHaveDuplicates();
    assertThat(RuleRegistry.of("scan").reported()).extracting(RuleInfo::id).doesNotHaveDuplicates();
  }

  static String lintTable(RuleRegistry registry) {
    StringBuilder b =
        new StringBuilder(
            "| rule | severity on protected environments | why | safer recipe |\n|---|---|---|---|\n");
    for (RuleInfo r : registry.reported()) {
      b.append("| `")
          .append(r.id())
          .append("` | ")
          .append(lintSeverity(registry, r))
          .append(" | ")
          .append(cell(r.why()))
          .append(" | ")
          .append(cell(r.recipe()))
          .append(" |\n");
    }
    return b.toString();
  }

  /** The severity column: the rule's default and the contract's policies (DESIGN section 5). */
  private static String lintSeverity(RuleRegistry registry, RuleInfo r) {
    String id = r.id();
    if (id.startsWith("every-migrate-callback-")
        || id.equals("error-callback-change")
        || id.equals("callback-placeholder")) {
      return "error (protected environments only)";
    }
    if (!registry.ruleIds().contains(id)) {
      return "error (always, every environment)";
    }
    if (r.defaultSeverity() == Severity.ERROR) {
      if (RuleIds.NOT_COVERABLE.contains(id)) {
        return "error (every environment; no exception can cover it)";
      }
      return RuleIds.DEFAULT_FORBIDDEN.contains(id)
          ? "error (every environment; also in the default `forbidden` list)"
          : "error (every environment; a contract exception can cover it)";
    }
    if (RuleIds.ALWAYS_ERROR_ON_PROTECTED.contains(id)) {
      return "error (always)";
    }
    return RuleIds.DEFAULT_FORBIDDEN.contains(id)
        ? "error (forbidden by default)"
        : r.defaultSeverity().id() + " unless forbidden";
  }

  static String traceTable(RuleRegistry registry) {
    StringBuilder b =
        new StringBuilder("| rule | default severity | why | safer recipe |\n|---|---|---|---|\n");
    for (RuleInfo r : registry.reported()) {
      b.append("| `")
          .append(r.id())
          .append("` | ")
          .append(r.defaultSeverity().id())
          .append(" | ")
          .append(cell(r.why()))
          .append(" | ")
          .append(cell(r.recipe()))
          .append(" |\n");
    }
    return b.toString();
  }

  static String scanTable(RuleRegistry registry) {
    StringBuilder b =
        new StringBuilder(
            "| id | severity | finds | why it matters | instead |\n|---|---|---|---|---|\n");
    for (RuleInfo r : registry.reported()) {
      b.append("| `")
          .append(r.id())
          .append("` | ")
          .append(r.defaultSeverity().id())
          .append(" | ")
          .append(cell(r.details().isEmpty() ? r.summary() : r.details()))
          .append(" | ")
          .append(cell(r.why()))
          .append(" | ")
          .append(cell(r.recipe()))
          .append(" |\n");
    }
    return b.toString();
  }

  /** A table cell: one line, '|' escaped. */
  private static String cell(String s) {
    return s.replace("\r", " ").replace("\n", " ").replace("|", "\\|");
  }

  static String begin(String tool) {
    return "<!-- rules:begin: generated from the "
        + tool
        + " rule registry by RuleDocsTest; edit the rule classes, then run "
        + REGENERATE
        + " -->\n";
  }

  static final String END = "<!-- rules:end -->\n";

  private static void check(Path doc, String tool, Function<RuleRegistry, String> table)
      throws IOException {
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int start = text.indexOf("<!-- rules:begin");
    int end = text.indexOf(END);
    assertThat(start).as(doc + " has no '<!-- rules:begin' marker").isNotNegative();
    assertThat(end).as(doc + " has no '" + END.strip() + "' marker").isGreaterThan(start);
    String expected = begin(tool) + table.apply(RuleRegistry.of(tool)) + END;
    String actual = text.substring(start, end + END.length());
    if (Boolean.getBoolean(WRITE)) {
      Files.writeString(
          doc,
          text.substring(0, start) + expected + text.substring(end + END.length()),
          StandardCharsets.UTF_8);
      return;
    }
    assertThat(actual)
        .as(
            "the rule table of "
                + doc
                + " differs from the "
                + tool
                + " rule registry; regenerate it with: "
                + REGENERATE)
        .isEqualTo(expected);
  }
}
