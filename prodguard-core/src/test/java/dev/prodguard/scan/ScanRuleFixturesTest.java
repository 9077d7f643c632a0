package dev.prodguard.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.findings.Finding;
import dev.prodguard.scan.rules.Rules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule against its fixture repository: the findings of that rule must be exactly the
 * positions listed in expected.txt (positive cases), and nothing else (negative cases and
 * look-alikes). All rules run, so scan-exceptions and prodguard.yml behave as in real use.
 */
@DisplayName("G5: scan rules find their fixtures' bypasses and nothing else")
class ScanRuleFixturesTest {
  @TempDir Path tmp;

  static List<ScanFixtures.Case> cases() {
    return ScanFixtures.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @DisplayName("G5: fixture findings are exactly the expected ones")
  void fixture(ScanFixtures.Case c) {
    Path repo = ScanFixtures.copy(c.repo(), tmp.resolve("repo"));
    ScanReport report = new Scanner().scan(repo);
    List<String> actual =
        report.findings().stream()
            .filter(f -> f.rule().equals(c.rule()))
            .map(Finding::position)
            .toList();
    String detail =
        report.findings().stream()
            .filter(f -> f.rule().equals(c.rule()))
            .map(f -> f.position() + "  " + f.excerpt() + "  -- " + f.message())
            .collect(Collectors.joining("\n"));
    assertThat(actual).as(detail).containsExactlyInAnyOrderElementsOf(c.expected());
    for (Finding f : report.findings()) {
      assertThat(f.message()).as("message says why and what to do instead").contains(". ");
      assertThat(f.line()).isPositive();
    }
  }

  @Test
  @DisplayName("every rule has a fixture folder with positive cases and files that must not fire")
  void everyRuleHasFixtures() throws IOException {
    Set<String> withFixtures =
        ScanFixtures.all().stream().map(ScanFixtures.Case::rule).collect(Collectors.toSet());
    assertThat(withFixtures).containsAll(Rules.ids());
    for (String rule : Rules.ids()) {
      List<ScanFixtures.Case> cs =
          ScanFixtures.all().stream().filter(c -> c.rule().equals(rule)).toList();
      assertThat(cs.stream().mapToInt(c -> c.expected().size()).sum())
          .as(rule + " has positive cases")
          .isPositive();
      long negatives = 0;
      for (ScanFixtures.Case c : cs) {
        Set<String> positiveFiles =
            c.expected().stream()
                .map(p -> p.substring(0, p.indexOf(':')))
                .collect(Collectors.toSet());
        try (Stream<Path> files = Files.walk(c.repo())) {
          negatives +=
              files
                  .filter(Files::isRegularFile)
                  .map(f -> c.repo().relativize(f).toString().replace('\\', '/'))
                  .filter(p -> !positiveFiles.contains(p))
                  .count();
        }
      }
      assertThat(negatives).as(rule + " has files that must not fire").isPositive();
    }
  }
}
