package dev.prodguard.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract's {@code history:} entries: one version, one state, a reason; anything else is a
 * configuration error naming file, line and key (never a flag that loosens validation).
 */
@DisplayName("contract history: reviewed entries, strictly read")
class ContractHistoryTest {
  private static Contract parse(String yaml) {
    return ContractLoader.parse(
        Path.of("prodguard-contract.yml"), yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static ConfigException error(String yaml) {
    return catchThrowableOfType(ConfigException.class, () -> parse(yaml));
  }

  @Test
  @DisplayName("G7: entries keep version, state, reason and line; V and _ spellings are versions")
  void entries() {
    Contract c =
        parse(
            "version: 1\nhistory:\n"
                + "  - { version: \"3\", state: missing, reason: \"seed moved to sync\" }\n"
                + "  - { version: \"V1_10\", state: ignored, reason: \"applied by hand\" }\n"
                + "  - { version: \"7\", state: future, reason: \"release reverted\" }\n"
                + "  - { version: \"2\", state: baseline, reason: \"schema predates Flyway\" }\n");
    assertThat(c.history())
        .extracting(Contract.HistoryEntry::label)
        .containsExactly("V3 missing", "V1_10 ignored", "V7 future", "V2 baseline");
    assertThat(c.history().get(0).line()).isEqualTo(3);
    assertThat(c.history().get(0).reason()).isEqualTo("seed moved to sync");
  }

  @Test
  @DisplayName("G7: an entry without a reason, or with an unknown state, is an error")
  void reasonAndState() {
    ConfigException noReason =
        error("version: 1\nhistory:\n  - { version: \"3\", state: missing }\n");
    assertThat(noReason.key()).isEqualTo("history[0].reason");
    assertThat(noReason.line()).isEqualTo(3);
    ConfigException state =
        error("version: 1\nhistory:\n  - { version: \"3\", state: failed, reason: r }\n");
    assertThat(state.getMessage()).contains("unknown history state 'failed'", "missing, ignored");
  }

  @Test
  @DisplayName(
      "G7: a version that YAML reads as a number (1.10 would become 1.1), or that is no version,"
          + " is an error")
  void versions() {
    assertThat(error("version: 1\nhistory:\n  - { version: 1.10, state: missing, reason: r }\n"))
        .hasMessageContaining("quoted");
    assertThat(error("version: 1\nhistory:\n  - { version: \"*\", state: missing, reason: r }\n"))
        .hasMessageContaining("not a migration version");
  }

  @Test
  @DisplayName("G7: one version, one state: a version listed twice (1.2 and 1.2.0) is an error")
  void oneStatePerVersion() {
    assertThat(
            error(
                "version: 1\nhistory:\n"
                    + "  - { version: \"1.2\", state: missing, reason: r }\n"
                    + "  - { version: \"1.2.0\", state: future, reason: r }\n"))
        .hasMessageContaining("a second history entry");
  }

  @Test
  @DisplayName("G7: unknown keys in an entry are errors (no pattern, no wildcard)")
  void unknownKeys() {
    assertThat(
            error(
                "version: 1\nhistory:\n"
                    + "  - { version: \"3\", state: missing, reason: r, pattern: \"*:missing\" }\n"))
        .hasMessageContaining("pattern");
  }

  @Test
  @DisplayName(
      "G7: the human-readable contract lists the reviewed history; without entries it is unchanged")
  void rendered() {
    String with =
        dev.prodguard.lint.ContractMarkdown.render(
            parse(
                "version: 1\nhistory:\n"
                    + "  - { version: \"3\", state: missing, reason: \"seed moved to sync\" }\n"),
            "prodguard-contract.yml");
    assertThat(with).contains("## Reviewed history", "| V3 | `missing` | seed moved to sync |");
    assertThat(
            dev.prodguard.lint.ContractMarkdown.render(
                parse("version: 1\n"), "prodguard-contract.yml"))
        .doesNotContain("Reviewed history");
  }
}
