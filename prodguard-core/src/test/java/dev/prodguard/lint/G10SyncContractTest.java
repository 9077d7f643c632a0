package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigException;
import dev.prodguard.contract.ContractLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code prodguard sync} never writes prodguard's own objects: the contract cannot name them. */
class G10SyncContractTest {

  static void parse(String table) {
    ContractLoader.parse(
        Path.of("prodguard-contract.yml"),
        ("version: 1\nsync:\n  "
                + table
                + ": { key: [id], columns: [name], delete: true, max-rows: 10 }\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "G10: sync-tables may not name {0}")
  @ValueSource(
      strings = {
        "prodguard_audit",
        "app.prodguard_session",
        "database_metadata",
        "flyway_schema_history",
        "\"Flyway_Schema_History\"",
        "pg_catalog.pg_trigger",
        "mysql.proc",
        "pg_event_trigger"
      })
  void refused(String table) {
    assertThatThrownBy(() -> parse(table))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("G10")
        .hasMessageContaining("sync never writes them");
  }

  @ParameterizedTest(name = "G10: sync-tables may name {0}")
  @ValueSource(strings = {"services", "app.countries", "prodguard", "audit_metadata"})
  void allowed(String table) {
    parse(table);
    assertThat(table).isNotBlank();
  }
}
