package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("G4: prodguard contract render, check and diff, end to end")
class G4ContractCliIT {
  @TempDir Path repo;

  static final String CONTRACT =
      """
      version: 1
      forbidden: [drop-table, truncate, delete-without-where]
      protected-tables:
        payments: {}
      """;

  @BeforeEach
  void setUp() throws Exception {
    Files.writeString(repo.resolve("prodguard-contract.yml"), CONTRACT, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("G4: render writes the contract document and check accepts it")
  void renderThenCheck() throws Exception {
    Cli.Result r = Cli.run(repo, "contract", "render");
    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    String md = Files.readString(repo.resolve("PRODUCTION_MUTATION_CONTRACT.md"));
    assertThat(md).contains("# Production mutation contract").contains("| `payments` | none |");
    assertThat(Cli.run(repo, "contract", "check").exit()).isEqualTo(0);
  }

  @Test
  @DisplayName("G4: the contract check fails when the rendered contract is out of date")
  void checkFailsWhenStale() throws Exception {
    assertThat(Cli.run(repo, "contract", "check").exit()).isEqualTo(1);
    Cli.run(repo, "contract", "render");
    Files.writeString(
        repo.resolve("prodguard-contract.yml"),
        CONTRACT.replace("truncate, ", ""),
        StandardCharsets.UTF_8);
    Cli.Result r = Cli.run(repo, "contract", "check");
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("[G4 frozen mutation contract]").contains("out of date");
  }

  @Test
  @DisplayName("G4: contract diff lists the loosening since a git revision, rule by rule")
  void diff() throws Exception {
    Cli.git(repo, "init", "-q");
    Cli.git(repo, "add", "-A");
    Cli.git(repo, "commit", "-q", "-m", "contract");
    Files.writeString(
        repo.resolve("prodguard-contract.yml"),
        """
        version: 1
        forbidden: [drop-table, delete-without-where, grant]
        protected-tables:
          payments: { writable-columns: [status] }
        exceptions:
          - { migration: V9, rule: drop-table, reason: "reviewed: table unused" }
        """,
        StandardCharsets.UTF_8);
    Cli.Result r = Cli.run(repo, "contract", "diff", "HEAD");
    assertThat(r.exit()).as(r.toString()).isEqualTo(0);
    assertThat(r.out())
        .contains("rule 'truncate' is no longer forbidden")
        .contains("column payments.status became writable")
        .contains("new exception: V9 may break 'drop-table'")
        .contains("rule 'grant' is forbidden")
        .contains("needs the contract owners' review");
    Cli.Result strict = Cli.run(repo, "contract", "diff", "HEAD", "--fail-on-loosening");
    assertThat(strict.exit()).isEqualTo(1);
    JsonNode j =
        new ObjectMapper()
            .readTree(Cli.run(repo, "contract", "diff", "HEAD", "--format", "json").out());
    assertThat(j.get("loosened").asBoolean()).isTrue();
    assertThat(j.get("changes")).hasSize(4);
    assertThat(Cli.run(repo, "contract", "diff", "no-such-rev").exit()).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "G4: contract render, check, diff and sync refuse (exit 2, naming the file) a contract"
          + " prodguard.yml names but that does not exist")
  void namedContractMissing() throws Exception {
    Files.writeString(
        repo.resolve("prodguard.yml"),
        """
        environments:
          dev:
            url: jdbc:postgresql://127.0.0.1:5432/dev_never_opened
          prod:
            url: jdbc:postgresql://127.0.0.1:5432/prod_never_opened
            protected: true
        contract: contracts/prod.yml
        """,
        StandardCharsets.UTF_8);
    Cli.git(repo, "init", "-q");
    Cli.git(repo, "add", "-A");
    Cli.git(repo, "commit", "-qm", "init");
    for (String[] args :
        new String[][] {
          {"contract", "render"},
          {"contract", "check"},
          {"contract", "diff", "HEAD"},
          {"sync", "--from", "dev", "--to", "prod", "--table", "services"}
        }) {
      Cli.Result r = Cli.run(repo, args);
      assertThat(r.exit()).as(String.join(" ", args) + ": " + r).isEqualTo(2);
      assertThat(r.err()).contains("configuration error").contains("prod.yml");
    }
    assertThat(repo.resolve("PRODUCTION_MUTATION_CONTRACT.md")).doesNotExist();
  }
}
