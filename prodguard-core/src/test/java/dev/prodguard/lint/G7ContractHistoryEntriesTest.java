package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.migration.MigrationSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G7: a contract history entry that no database can hold with these files is an error already in
 * {@code lint} (no database needed), as {@code verify} and {@code status} refuse it per target: a
 * {@code missing} (or {@code future}) version whose file is there, an {@code ignored} one whose
 * file is not.
 */
@DisplayName("G7 lint: contract history entries that can match no database")
class G7ContractHistoryEntriesTest {
  private static final List<MigrationSource> FILES =
      List.of(versioned("1", "V1__one.sql"), versioned("2", "V2__two.sql"));

  private static MigrationSource versioned(String v, String name) {
    return new MigrationSource(
        null, MigrationSource.Role.VERSIONED, MigrationId.parse("V" + v), "db/migration/" + name);
  }

  private static Contract contract(String entry) {
    return ContractLoader.parse(
        Path.of("prodguard-contract.yml"),
        ("version: 1\nhistory:\n  - " + entry + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("{version: 2, state: missing} while V2__two.sql exists: an error naming the line")
  void missingButFileThere() {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                History.requirePossibleEntries(
                    contract("{ version: \"2\", state: missing, reason: \"dropped\" }"), FILES));
    assertThat(e).isNotNull();
    assertThat(e.getMessage())
        .contains("history entry V2 missing matches no database")
        .contains("db/migration/V2__two.sql is there");
    assertThat(e.line()).isEqualTo(3);
  }

  @Test
  @DisplayName("future with the file there, ignored without it: errors; missing without it: fine")
  void otherStates() {
    assertThatCode(
            () ->
                History.requirePossibleEntries(
                    contract("{ version: \"2\", state: future, reason: \"r\" }"), FILES))
        .isInstanceOf(ConfigException.class);
    assertThatCode(
            () ->
                History.requirePossibleEntries(
                    contract("{ version: \"3\", state: ignored, reason: \"r\" }"), FILES))
        .isInstanceOf(ConfigException.class);
    assertThatCode(
            () ->
                History.requirePossibleEntries(
                    contract("{ version: \"3\", state: missing, reason: \"r\" }"), FILES))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                History.requirePossibleEntries(
                    contract("{ version: \"2\", state: ignored, reason: \"r\" }"), FILES))
        .doesNotThrowAnyException();
  }
}
