package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.contract.MigrationId;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.findings.Finding;
import dev.prodguard.findings.Severity;
import dev.prodguard.migration.EngineStatements;
import dev.prodguard.migration.MigrationFile;
import dev.prodguard.migration.MigrationSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The linter checks its split against what the migration tool will send: here the tool is played by
 * a stub that answers what Flyway would for the case (prodguard-flyway's tests use Flyway).
 */
@DisplayName("G4: what prodguard analysed is what the migration tool will send")
class G4EngineCrossCheckTest {
  @TempDir Path dir;

  LintReport lint(DatabaseKind kind, String sql, EngineStatements tool) throws Exception {
    Path file = Files.writeString(dir.resolve("V2__t.sql"), sql, StandardCharsets.UTF_8);
    Contract contract =
        ContractLoader.parse(dir.resolve("c.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    LintReport r =
        new Linter(kind)
            .crossCheck(
                source -> {
                  seen.add(new String(source.bytes(), StandardCharsets.UTF_8));
                  return tool;
                })
            .lint(List.of(source(file)), List.of(), contract, true, false);
    assertThat(seen).containsExactly(sql);
    return r;
  }

  /** The file as an engine discovers it: migration V2. */
  static MigrationSource source(Path file) throws Exception {
    return new MigrationSource(
        new MigrationFile(
            file.getFileName().toString(), file.getParent().toString(), Files.readAllBytes(file)),
        MigrationSource.Role.VERSIONED,
        MigrationId.parse("V2"),
        file.toString());
  }

  static EngineStatements sent(Object... lineAndSql) {
    List<EngineStatements.Statement> out = new ArrayList<>();
    for (int i = 0; i < lineAndSql.length; i += 2) {
      out.add(new EngineStatements.Statement((Integer) lineAndSql[i], (String) lineAndSql[i + 1]));
    }
    return EngineStatements.of(out);
  }

  static List<String> rules(LintReport r) {
    return r.findings().stream().map(Finding::rule).toList();
  }

  @Test
  @DisplayName(
      "G4: agreeing splits add nothing; the tool's leading comments and inner comments do not matter")
  void agreement() throws Exception {
    LintReport r =
        lint(
            DatabaseKind.POSTGRESQL,
            "-- first\nSELECT /* x */ 1;\n\n/* two */ SELECT 2;\n",
            sent(1, "-- first\nSELECT /* x */ 1", 4, "/* two */ SELECT 2"));
    assertThat(r.findings()).isEmpty();
    LintReport tokens =
        lint(DatabaseKind.POSTGRESQL, "SELECT /* x */ 1;\n", sent(1, "SELECT\n  1"));
    assertThat(tokens.findings()).isEmpty();
  }

  @Test
  @DisplayName("G4: the tool sending two statements as one is refused at that statement")
  void merged() throws Exception {
    LintReport r =
        lint(
            DatabaseKind.MARIADB,
            "SELECT 1 --1;\nDROP TABLE t;\n",
            sent(1, "SELECT 1 --1;\nDROP TABLE t"));
    assertThat(rules(r)).containsExactly("drop-table", "unknown-statement");
    Finding f = r.findings().get(1);
    assertThat(f.severity()).isEqualTo(Severity.ERROR);
    assertThat(f.line()).isEqualTo(1);
    assertThat(f.migration()).isEqualTo("V2");
    assertThat(f.message())
        .contains("disagree on statement 1", "SELECT 1 --1; DROP TABLE t", "«SELECT 1 --1»");
  }

  @Test
  @DisplayName(
      "G4: statements that differ past the excerpt's 80 characters are shown where they differ"
          + " (new user NU27/02: both excerpts were the same text)")
  void differencePastTheExcerpt() throws Exception {
    String body =
        "CREATE OR REPLACE FUNCTION fulltext_replace(text, text) RETURNS text LANGUAGE sql"
            + " IMMUTABLE RETURN replace($1, $2, ' ')";
    LintReport r =
        lint(
            DatabaseKind.POSTGRESQL,
            body + ";\nCREATE TABLE x (id int);\n",
            sent(1, body + ";\nCREATE TABLE x (id int)"));
    Finding f =
        r.findings().stream()
            .filter(x -> x.rule().equals("unknown-statement"))
            .findFirst()
            .orElseThrow();
    assertThat(f.message())
        .contains(
            "they first differ after character " + body.length(),
            "the tool's «...",
            "replace($1, $2, ' '); CREATE TABLE x (id int)»",
            "prodguard's «...",
            "(its statement ends there)");
  }

  @Test
  @DisplayName("G4: a statement the tool sends and prodguard does not see is refused")
  void extraStatement() throws Exception {
    LintReport r =
        lint(
            DatabaseKind.POSTGRESQL,
            "SELECT 1;\n/*! DROP TABLE t */\n",
            sent(1, "SELECT 1", 2, "DROP TABLE t"));
    assertThat(rules(r)).containsExactly("unknown-statement");
    assertThat(r.findings().get(0).line()).isEqualTo(2);
    assertThat(r.findings().get(0).message())
        .contains("statement 2", "sends «DROP TABLE t» (from line 2)", "prodguard reads nothing");
  }

  @Test
  @DisplayName("G4: a file the tool cannot read is refused, with the tool's reason")
  void toolFails() throws Exception {
    LintReport r =
        lint(
            DatabaseKind.POSTGRESQL,
            "CREATE TABLE ${schema}.t (id int);\n",
            EngineStatements.failed("No value provided for placeholder: ${schema}"));
    assertThat(rules(r)).containsExactly("unknown-statement");
    assertThat(r.findings().get(0).message()).contains("No value provided for placeholder");
    assertThat(r.hasErrors()).isTrue();
  }

  @Test
  @DisplayName("G4: ${flyway:filename} with a file name that can end a string is refused")
  void fileNamePlaceholder() throws Exception {
    String sql = "SELECT '${flyway:filename}; DROP TABLE t; --';\n";
    Contract contract =
        ContractLoader.parse(dir.resolve("c.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    Path quoted = Files.writeString(dir.resolve("V2__it's.sql"), sql, StandardCharsets.UTF_8);
    LintReport r = new Linter(DatabaseKind.POSTGRESQL).lintFiles(List.of(quoted), contract, true);
    assertThat(rules(r)).containsExactly("unknown-statement");
    assertThat(r.findings().get(0).column()).isEqualTo(9);
    assertThat(r.findings().get(0).message()).contains("this file's name");
    Path plain = Files.writeString(dir.resolve("V3__add-orders.sql"), sql, StandardCharsets.UTF_8);
    assertThat(
            new Linter(DatabaseKind.POSTGRESQL)
                .lintFiles(List.of(plain), contract, true)
                .findings())
        .isEmpty();
  }

  @Test
  @DisplayName(
      "G4 (attacker 21/13): ${flyway:workingDirectory}, the deploying process's directory put in"
          + " the text verbatim, is refused wherever it is: the analysis cannot know it")
  void workingDirectoryPlaceholder() throws Exception {
    Contract contract =
        ContractLoader.parse(dir.resolve("c.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    Path file =
        Files.writeString(
            dir.resolve("V4__note.sql"),
            "INSERT INTO notes (body) VALUES ('${flyway:workingDirectory}');\n",
            StandardCharsets.UTF_8);
    LintReport r = new Linter(DatabaseKind.MARIADB).lintFiles(List.of(file), contract, true);
    assertThat(rules(r)).containsExactly("unknown-statement");
    assertThat(r.findings().get(0).column()).isEqualTo(35);
    assertThat(r.findings().get(0).message()).contains("working directory");
    assertThat(r.hasErrors()).isTrue();
  }
}
