package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractDiff;
import dev.prodguard.contract.ContractLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("G4: the contract is rendered for humans and its loosening is listed rule by rule")
class G4ContractDocumentTest {
  static Contract parse(String yaml) {
    return ContractLoader.parse(
        Path.of("prodguard-contract.yml"), yaml.getBytes(StandardCharsets.UTF_8));
  }

  static final String BASE =
      """
      version: 1
      forbidden: [drop-table, truncate, grant]
      protected-tables:
        users: { writable-columns: [last_login_at] }
        payments: {}
      mutation-scripts: [.github/workflows/deploy.yml]
      sync:
        services: { key: [id], columns: [name], delete: false, max-rows: 100 }
      """;

  @Test
  @DisplayName("G4: the rendered contract names every section and the hash, deterministically")
  void render() {
    Contract c =
        parse(BASE + "exceptions:\n  - { migration: V42, rule: truncate, reason: \"a | b\" }\n");
    String md = ContractMarkdown.render(c, "prodguard-contract.yml");
    assertThat(md)
        .contains("# Production mutation contract")
        .contains(c.sha256())
        .contains("| `drop-table` |")
        .contains("| `users` | `last_login_at` |")
        .contains("| `payments` | none |")
        .contains("- `.github/workflows/deploy.yml`")
        .contains("| `services` | `id` | `name` | no | 100 |")
        .contains("| V42 | `truncate` | a \\| b |")
        .contains(
            "Refused on every environment, whatever the contract says: `drop-cascade`,"
                + " `prodguard-objects` (no exception can cover it), `transaction-control`.");
    assertThat(ContractMarkdown.render(c, "prodguard-contract.yml")).isEqualTo(md);
  }

  @Test
  @DisplayName("G4: contract diff lists each loosening and tightening")
  void diff() {
    Contract after =
        parse(
            """
            version: 1
            forbidden: [drop-table, grant, drop-column]
            protected-tables:
              users: { writable-columns: [last_login_at, email] }
            mutation-scripts: [.github/workflows/deploy.yml, scripts/hotfix.sh]
            sync:
              services: { key: [id], columns: [name, price], delete: true, max-rows: 1000 }
            exceptions:
              - { migration: V7, rule: drop-table, reason: "reviewed" }
            """);
    List<ContractDiff.Change> changes = ContractDiff.between(parse(BASE), after);
    assertThat(changes)
        .filteredOn(c -> c.direction() == ContractDiff.Direction.LOOSENED)
        .extracting(c -> c.section() + ":" + c.subject())
        .containsExactlyInAnyOrder(
            "forbidden:truncate",
            "protected-tables:payments",
            "protected-tables:users",
            "mutation-scripts:scripts/hotfix.sh",
            "sync:services",
            "sync:services",
            "sync:services",
            "exceptions:drop-table");
    assertThat(changes)
        .filteredOn(c -> c.direction() == ContractDiff.Direction.TIGHTENED)
        .extracting(ContractDiff.Change::subject)
        .containsExactly("drop-column");
    assertThat(ContractDiff.between(parse(BASE), parse(BASE))).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: contract diff reports the same baseline pinned to other history files"
          + " (baseline.sha256) as loosening: what is exempt from judging changed")
  void baselineRepinnedIsLoosening() {
    String pin = "baseline: { version: \"12\", reason: \"reviewed\", sha256: \"%s\" }\n";
    Contract a = parse(BASE + pin.formatted("a".repeat(64)));
    Contract b = parse(BASE + pin.formatted("b".repeat(64)));
    assertThat(ContractDiff.between(a, b))
        .extracting(c -> c.direction() + ":" + c.section() + ":" + c.subject())
        .containsExactly("LOOSENED:baseline.sha256:V12");
    assertThat(ContractDiff.between(a, a)).isEmpty();
  }

  @Test
  @DisplayName(
      "G4: contract diff reports a new or raised baseline, lowered severities, new history"
          + " entries and raised trace limits as loosening (it said 'no change to the rules')")
  void adoptionAndTraceLoosening() {
    Contract after =
        parse(
            BASE
                + """
                baseline: { version: "12", reason: "ran in production for years", sha256: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }
                severity:
                  update-without-where: off
                  create-index-not-concurrently: error
                history:
                  - { version: "2", state: missing, reason: "deleted after it ran" }
                trace:
                  max-rewrite-size: 10GB
                  access-exclusive-on-protected: false
                """);
    List<ContractDiff.Change> changes = ContractDiff.between(parse(BASE), after);
    assertThat(changes)
        .filteredOn(c -> c.direction() == ContractDiff.Direction.LOOSENED)
        .extracting(c -> c.section() + ":" + c.subject())
        .containsExactlyInAnyOrder(
            "baseline:V12",
            "severity:update-without-where",
            "history:V2 missing",
            "trace:max-rewrite-size",
            "trace:access-exclusive-on-protected");
    assertThat(changes)
        .filteredOn(c -> c.direction() == ContractDiff.Direction.TIGHTENED)
        .extracting(c -> c.section() + ":" + c.subject())
        .containsExactly("severity:create-index-not-concurrently");
    // the way back is a tightening, entry by entry
    assertThat(ContractDiff.between(after, parse(BASE)))
        .allMatch(
            c ->
                c.direction() == ContractDiff.Direction.TIGHTENED
                    || c.section().equals("severity"));
  }
}
