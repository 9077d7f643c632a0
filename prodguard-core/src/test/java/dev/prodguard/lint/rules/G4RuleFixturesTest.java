package dev.prodguard.lint.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.RuleIds;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.lint.LintReport;
import dev.prodguard.lint.Linter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every fixture under {@code rules/<rule-id>/}: each {@code *.sql} is linted as for a
 * protected environment and the findings of that rule must be exactly the {@code line:column
 * severity} lines of its {@code .expected} file (none for a negative case). A {@code contract.yml}
 * in the folder replaces the default contract; {@code .mysql.sql} files are MySQL/MariaDB.
 */
@DisplayName("G4: every rule finds what its fixtures say, and nothing else")
class G4RuleFixturesTest {

  static Path root() throws URISyntaxException {
    return Path.of(G4RuleFixturesTest.class.getResource("/rules").toURI());
  }

  @TestFactory
  Stream<DynamicTest> fixtures() throws Exception {
    List<Path> cases;
    try (Stream<Path> walk = Files.walk(root())) {
      cases = walk.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
    }
    return cases.stream()
        .map(
            sql -> {
              String rule = sql.getParent().getFileName().toString();
              String name = sql.getFileName().toString();
              return DynamicTest.dynamicTest(
                  "G4: " + rule + " / " + name, () -> run(rule, sql, name));
            });
  }

  private void run(String rule, Path sql, String name) throws IOException {
    Path contractFile = sql.resolveSibling("contract.yml");
    Contract contract =
        Files.exists(contractFile)
            ? ContractLoader.load(contractFile)
            : ContractLoader.parse(Path.of("prodguard-contract.yml"), "version: 1\n".getBytes());
    DatabaseKind kind = name.contains(".mysql.") ? DatabaseKind.MARIADB : DatabaseKind.POSTGRESQL;
    LintReport report = new Linter(kind).lintFiles(List.of(sql), contract, true);
    List<String> actual =
        report.findings().stream()
            .filter(f -> f.rule().equals(rule))
            .map(f -> f.line() + ":" + f.column() + " " + f.severity().id())
            .toList();
    Path expectedFile = sql.resolveSibling(name.substring(0, name.length() - 4) + ".expected");
    List<String> expected =
        Files.exists(expectedFile)
            ? Files.readAllLines(expectedFile, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank())
                .toList()
            : List.of();
    if (name.startsWith("negative")) {
      assertThat(expected).as("a negative case expects nothing").isEmpty();
    }
    assertThat(actual).as(report.findings().toString()).containsExactlyElementsOf(expected);
    report.findings().stream()
        .filter(f -> f.rule().equals(rule))
        .forEach(
            f -> {
              assertThat(f.message()).isNotBlank();
              assertThat(f.recipe()).isNotBlank();
              assertThat(f.excerpt()).isNotNull();
              assertThat(f.file()).isEqualTo(sql.toString());
            });
  }

  @Test
  @DisplayName("G4: every rule has a fixture folder with positive and negative cases")
  void everyRuleHasFixtures() throws Exception {
    for (Rule r : Rules.all()) {
      Path dir = root().resolve(r.id());
      assertThat(dir).as(r.id()).isDirectory();
      try (Stream<Path> files = Files.list(dir)) {
        List<String> names = files.map(p -> p.getFileName().toString()).toList();
        assertThat(names).as(r.id()).anyMatch(n -> n.startsWith("positive") && n.endsWith(".sql"));
        assertThat(names).as(r.id()).anyMatch(n -> n.startsWith("negative") && n.endsWith(".sql"));
      }
      assertThat(r.summary()).isNotBlank();
      assertThat(r.recipe()).isNotBlank();
    }
  }

  @Test
  @DisplayName("G4: the contract knows exactly the rule ids the analyser has")
  void ruleIdsMatchContract() {
    assertThat(Rules.all().stream().map(Rule::id).toList())
        .containsExactlyInAnyOrderElementsOf(RuleIds.lint());
  }
}
