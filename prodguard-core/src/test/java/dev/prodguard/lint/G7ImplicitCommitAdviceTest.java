package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * G7, MariaDB's implicit commit: the way forward fits the statement it is reported on. Conductor's
 * {@code V10__agentspan_skills.sql} has two {@code CREATE TABLE IF NOT EXISTS}; the second was told
 * to write, "e.g. CREATE TABLE IF NOT EXISTS", what it already is.
 */
@DisplayName("G7: implicit-commit advice fits the statement it is reported on")
class G7ImplicitCommitAdviceTest {
  @TempDir Path dir;

  private String recipeOfSecond(String second) throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("V10__skills.sql"),
            "CREATE TABLE IF NOT EXISTS skill_metadata (name VARCHAR(255) NOT NULL);\n"
                + second
                + "\n",
            StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    List<Finding> found =
        new Linter(DatabaseKind.MARIADB)
            .lintFiles(List.of(f), c, true).findings().stream()
                .filter(x -> x.rule().equals("implicit-commit"))
                .filter(x -> x.location().line() == 2)
                .toList();
    assertThat(found).hasSize(1);
    return found.get(0).recipe();
  }

  @ParameterizedTest(name = "G7: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TABLE IF NOT EXISTS skill_package (handle VARCHAR(255) NOT NULL); | already runs again safely (CREATE TABLE IF NOT EXISTS)
          create   table if not exists skill_package (handle VARCHAR(255));         | already runs again safely (CREATE TABLE IF NOT EXISTS)
          DROP TABLE IF EXISTS skill_old;                                           | already runs again safely (DROP TABLE IF EXISTS)
          CREATE INDEX IF NOT EXISTS i ON skill_metadata (name);                    | already runs again safely (CREATE INDEX IF NOT EXISTS)
          CREATE TABLE skill_package (handle VARCHAR(255) NOT NULL);                | Write it CREATE TABLE IF NOT EXISTS
          ALTER TABLE skill_metadata ADD COLUMN x INT;                               | Write each clause of it safe to run again
          """)
  void adviceFitsTheStatement(String second, String expected) throws Exception {
    String recipe = recipeOfSecond(second);
    assertThat(recipe).contains(expected);
    if (expected.startsWith("already")) {
      assertThat(recipe).doesNotContain("e.g. CREATE TABLE IF NOT EXISTS");
    }
  }
}
