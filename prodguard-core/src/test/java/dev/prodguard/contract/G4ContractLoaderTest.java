package dev.prodguard.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("G4: the contract loads strictly and fails closed")
class G4ContractLoaderTest {
  static final String DESIGN_EXAMPLE =
      """
      version: 1
      forbidden: [drop-database, drop-schema, drop-table, drop-column, truncate,
                  delete-without-where, update-without-where, alter-column-type,
                  rename-table, rename-column, grant, revoke, unknown-statement]
      protected-tables:
        users: { writable-columns: [last_login_at] }
        payments: {}
      mutation-scripts: [.github/workflows/deploy.yml]
      sync:
        services: { key: [id], columns: [name, price, active], delete: false, max-rows: 1000 }
      exceptions:
        - { migration: V42, rule: drop-column, reason: "orders.legacy_ref unused since V37 (expand/contract)" }
      scan-exceptions:
        - { path: docs/runbook.md, rule: direct-migration-call, reason: "documentation of the forbidden command" }
      """;

  @TempDir Path dir;

  Contract load(String yaml) throws Exception {
    Path f = dir.resolve("prodguard-contract.yml");
    Files.writeString(f, yaml, StandardCharsets.UTF_8);
    return ContractLoader.load(f);
  }

  ConfigException error(String yaml) {
    Path f = dir.resolve("prodguard-contract.yml");
    try {
      Files.writeString(f, yaml, StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return (ConfigException)
        org.assertj.core.api.Assertions.catchThrowableOfType(
            () -> ContractLoader.load(f), ConfigException.class);
  }

  @Test
  @DisplayName("G4: the DESIGN section 5 example loads with every section")
  void designExample() throws Exception {
    Contract c = load(DESIGN_EXAMPLE);
    assertThat(c.version()).isEqualTo(1);
    assertThat(c.forbiddenDefaulted()).isFalse();
    // DESIGN's list is the default; prodguard adds transaction-control to it
    assertThat(c.forbidden())
        .containsExactlyElementsOf(
            RuleIds.DEFAULT_FORBIDDEN.stream()
                .filter(r -> !r.equals(RuleIds.TRANSACTION_CONTROL))
                .toList());
    assertThat(c.protectedTables()).containsOnlyKeys("users", "payments");
    assertThat(c.protectedTables().get("users").writableColumns()).containsExactly("last_login_at");
    assertThat(c.protectedTables().get("payments").writableColumns()).isEmpty();
    assertThat(c.isMutationScript(".github/workflows/deploy.yml")).isTrue();
    assertThat(c.isMutationScript("scripts/deploy.sh")).isFalse();
    Contract.SyncTable s = c.sync().get("services");
    assertThat(s.key()).containsExactly("id");
    assertThat(s.columns()).containsExactly("name", "price", "active");
    assertThat(s.delete()).isFalse();
    assertThat(s.maxRows()).isEqualTo(1000);
    assertThat(c.exceptions()).hasSize(1);
    Contract.MigrationException e = c.exceptions().get(0);
    assertThat(e.migration().toString()).isEqualTo("V42");
    assertThat(e.rule()).isEqualTo("drop-column");
    assertThat(e.line()).isEqualTo(12);
    assertThat(c.scanExceptions())
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.path()).isEqualTo("docs/runbook.md");
              assertThat(x.rule()).isEqualTo("direct-migration-call");
              assertThat(x.matchesPath("docs/runbook.md")).isTrue();
            });
  }

  @Test
  @DisplayName("G4: the contract hash is the SHA-256 of the file's exact bytes")
  void sha256OfBytes() throws Exception {
    Contract a = load(DESIGN_EXAMPLE);
    String expected =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(DESIGN_EXAMPLE.getBytes(StandardCharsets.UTF_8)));
    assertThat(a.sha256()).isEqualTo(expected).hasSize(64);
    Contract b = load(DESIGN_EXAMPLE + "# a comment changes the hash\n");
    assertThat(b.sha256()).isNotEqualTo(a.sha256());
  }

  @Test
  @DisplayName("G4: without 'forbidden' the DESIGN defaults apply")
  void defaults() throws Exception {
    Contract c = load("version: 1\n");
    assertThat(c.forbiddenDefaulted()).isTrue();
    assertThat(c.forbidden())
        .contains("drop-table", "truncate", "grant", "revoke", "unknown-statement");
    assertThat(c.protectedTables()).isEmpty();
    assertThat(c.exceptions()).isEmpty();
  }

  @Test
  @DisplayName("G4: an exception without a reason is an error naming file and line")
  void missingReason() {
    ConfigException e = error("version: 1\nexceptions:\n  - { migration: V3, rule: drop-table }\n");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.key()).isEqualTo("exceptions[0].reason");
    assertThat(e.getMessage()).contains("required");
    assertThat(e.file()).endsWith("prodguard-contract.yml");
  }

  @Test
  @DisplayName("G4: an exception with a blank reason is an error")
  void blankReason() {
    ConfigException e =
        error("version: 1\nexceptions:\n  - { migration: V3, rule: drop-table, reason: '  ' }\n");
    assertThat(e.getMessage()).contains("empty");
  }

  @Test
  @DisplayName("G4: an exception without migration or rule is an error")
  void missingMigrationOrRule() {
    assertThat(error("version: 1\nexceptions:\n  - { rule: drop-table, reason: x }\n").key())
        .isEqualTo("exceptions[0].migration");
    assertThat(error("version: 1\nexceptions:\n  - { migration: V1, reason: x }\n").key())
        .isEqualTo("exceptions[0].rule");
  }

  @Test
  @DisplayName("G4: an exception naming something that is not a Flyway migration is an error")
  void badMigration() {
    ConfigException e =
        error("version: 1\nexceptions:\n  - { migration: '42', rule: drop-table, reason: x }\n");
    assertThat(e.getMessage()).contains("not a Flyway migration");
  }

  @Test
  @DisplayName("G4: an unknown rule id is an error, in forbidden and in exceptions")
  void unknownRule() {
    ConfigException e = error("version: 1\nforbidden: [drop-table, drop-tabel]\n");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.getMessage()).contains("unknown rule 'drop-tabel'");
    ConfigException f =
        error("version: 1\nexceptions:\n  - { migration: V1, rule: nope, reason: x }\n");
    assertThat(f.line()).isEqualTo(3);
    // severity sets lint rules; a trace rule there is named as such (was "unknown", listed as
    // known)
    ConfigException g = error("version: 1\nseverity: { trace-blocking-lock: error }\n");
    assertThat(g.getMessage()).contains("is a trace rule", "'forbidden'");
    ConfigException h = error("version: 1\nseverity: { drop-tabel: off }\n");
    assertThat(h.getMessage()).contains("unknown rule 'drop-tabel'").doesNotContain("trace-");
  }

  @Test
  @DisplayName("G4: unknown keys are errors, at every level")
  void unknownKeys() {
    ConfigException top = error("version: 1\nforbiden: [drop-table]\n");
    assertThat(top.line()).isEqualTo(2);
    assertThat(top.getMessage()).contains("unknown key 'forbiden'");
    ConfigException nested =
        error("version: 1\nprotected-tables:\n  users: { writeable-columns: [a] }\n");
    assertThat(nested.key()).isEqualTo("protected-tables.users.writeable-columns");
    ConfigException inException =
        error(
            "version: 1\nexceptions:\n  - { migration: V1, rule: truncate, reason: x, by: me }\n");
    assertThat(inException.key()).isEqualTo("exceptions[0].by");
  }

  @Test
  @DisplayName("G4: version is required and must be 1")
  void version() {
    assertThat(error("forbidden: []\n").getMessage()).contains("'version' is required");
    assertThat(error("version: 2\n").getMessage()).contains("unsupported contract version 2");
  }

  @Test
  @DisplayName("G4: sync tables need key, columns and max-rows")
  void syncRequired() {
    assertThat(error("version: 1\nsync:\n  t: { columns: [a], max-rows: 1 }\n").key())
        .isEqualTo("sync.t");
    assertThat(error("version: 1\nsync:\n  t: { key: [id], columns: [a] }\n").getMessage())
        .contains("max-rows");
    assertThat(error("version: 1\nsync:\n  t: { key: [id], columns: [a], max-rows: 0 }\n").key())
        .isEqualTo("sync.t.max-rows");
  }

  @Test
  @DisplayName("G4: scan exceptions need path, rule and reason")
  void scanExceptions() {
    assertThat(error("version: 1\nscan-exceptions:\n  - { path: a, rule: b }\n").key())
        .isEqualTo("scan-exceptions[0].reason");
    assertThat(error("version: 1\nscan-exceptions:\n  - { rule: b, reason: c }\n").key())
        .isEqualTo("scan-exceptions[0].path");
  }

  @Test
  @DisplayName("G4: duplicate exceptions and duplicate keys are errors")
  void duplicates() {
    assertThat(
            error(
                    "version: 1\nexceptions:\n"
                        + "  - { migration: V1, rule: truncate, reason: x }\n"
                        + "  - { migration: V1.0, rule: truncate, reason: y }\n")
                .getMessage())
        .contains("second exception");
    assertThat(error("version: 1\nversion: 1\n").getMessage()).contains("duplicate key");
  }

  @Test
  @DisplayName("G4: a missing contract file is an error")
  void missingFile() {
    assertThatThrownBy(() -> ContractLoader.load(dir.resolve("nope.yml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("contract not found");
  }

  @Test
  @DisplayName("G4: protected tables match qualified and unqualified names, case-insensitively")
  void protectedTableMatching() throws Exception {
    Contract c = load("version: 1\nprotected-tables:\n  users: {}\n  billing.payments: {}\n");
    assertThat(c.protectedTable("USERS")).isPresent();
    assertThat(c.protectedTable("public.users")).isPresent();
    assertThat(c.protectedTable("payments")).isPresent();
    assertThat(c.protectedTable("billing.payments")).isPresent();
    assertThat(c.protectedTable("other.payments")).isEmpty();
    assertThat(c.protectedTable("user_roles")).isEmpty();
  }

  @Test
  @DisplayName("G4: migration ids compare like Flyway versions")
  void migrationIds() {
    MigrationId v = MigrationId.parse("V1.2").orElseThrow();
    assertThat(v.covers(MigrationId.parse("V1_2").orElseThrow())).isTrue();
    assertThat(v.covers(MigrationId.parse("V1.2.0").orElseThrow())).isTrue();
    assertThat(v.covers(MigrationId.parse("V1.20").orElseThrow())).isFalse();
    assertThat(v.covers(MigrationId.parse("U1.2").orElseThrow())).isFalse();
    MigrationId r = MigrationId.parse("R__refresh_views").orElseThrow();
    assertThat(r.covers(MigrationId.parse("R__Refresh_Views").orElseThrow())).isTrue();
    assertThat(MigrationId.parse("V1.x")).isEmpty();
    assertThat(MigrationId.parse("notes")).isEmpty();
    assertThat(
            MigrationId.compareVersions(
                MigrationId.parse("V10").orElseThrow().version(),
                MigrationId.parse("V9").orElseThrow().version()))
        .isPositive();
  }

  @Test
  @DisplayName("G10: no contract exception can name prodguard-objects: an error when it loads")
  void prodguardObjectsCannotBeExcepted() {
    ConfigException e =
        error(
            "version: 1\n"
                + "forbidden: []\n"
                + "exceptions:\n"
                + "  - { migration: V7, rule: prodguard-objects, reason: \"clean up the audit\" }\n");
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("prodguard-objects").contains("cannot be excepted");
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.render()).contains("prodguard-contract.yml:4");
  }
}
