package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacker's finding 16: {@code ALTER TYPE price DROP ATTRIBUTE amount} on a composite type that a
 * table column uses deletes that field from every stored row (PostgreSQL needs no CASCADE for
 * columns of the type): the data loss of a dropped column, which lint passed with no finding.
 */
@DisplayName("G4: ALTER TYPE on a composite type is judged as the column changes it makes")
class G4CompositeTypeLintTest {
  @TempDir Path dir;

  private List<Finding> findings(String sql) throws Exception {
    Path f = Files.writeString(dir.resolve("V2__x.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    return new Linter(DatabaseKind.POSTGRESQL).lintFiles(List.of(f), c, true).findings();
  }

  @Test
  void dropAttributeIsADroppedColumn() throws Exception {
    List<Finding> f = findings("ALTER TYPE price DROP ATTRIBUTE amount;\n");
    assertThat(f)
        .anySatisfy(
            x -> {
              assertThat(x.rule()).isEqualTo("drop-column");
              assertThat(x.severity()).isEqualTo(Severity.ERROR);
            });
  }

  @Test
  void renameAndRetypeAttribute() throws Exception {
    assertThat(findings("ALTER TYPE price RENAME ATTRIBUTE amount TO value;\n"))
        .extracting(Finding::rule)
        .contains("rename-column");
    assertThat(findings("ALTER TYPE price ALTER ATTRIBUTE amount TYPE bigint;\n"))
        .extracting(Finding::rule)
        .contains("alter-column-type");
  }

  @Test
  void otherFormsStayQuiet() throws Exception {
    assertThat(findings("ALTER TYPE mood ADD VALUE 'calm';\n"))
        .extracting(Finding::rule)
        .doesNotContain("drop-column", "rename-column", "alter-column-type", "unknown-statement");
    assertThat(findings("ALTER TYPE price ADD ATTRIBUTE currency text;\n"))
        .extracting(Finding::rule)
        .doesNotContain("drop-column", "unknown-statement");
  }
}
