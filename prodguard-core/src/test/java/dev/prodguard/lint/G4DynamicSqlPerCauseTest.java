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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G4, dynamic SQL that a called routine runs: one finding for each statement of the body that
 * causes it, naming that statement's line. Conductor's MySQL {@code V8__update_pk.sql} calls {@code
 * FixPkIfNeeded()}, whose body prepares and executes three statements: each {@code CALL} repeated
 * the identical {@code PREPARE in a routine body (in FixPkIfNeeded(), ...)} three times, with no
 * line to look at.
 */
@DisplayName("G4: dynamic SQL in a called routine is one finding per cause, with its line")
class G4DynamicSqlPerCauseTest {
  @TempDir Path dir;

  static final String V8 =
      """
      DELIMITER $$
      CREATE PROCEDURE `FixPkIfNeeded`(IN tableName VARCHAR(128))
      BEGIN
          SET @stmt = CONCAT('ALTER TABLE ', tableName, ' MODIFY id INT');
          PREPARE st FROM @stmt;
          EXECUTE st;
          DEALLOCATE PREPARE st;
          SET @stmt = CONCAT('ALTER TABLE ', tableName, ' DROP PRIMARY KEY');
          PREPARE st FROM @stmt;
          EXECUTE st;
          DEALLOCATE PREPARE st;
          SET @stmt = CONCAT('ALTER TABLE ', tableName, ' DROP COLUMN id');
          PREPARE st FROM @stmt;
          EXECUTE st;
          DEALLOCATE PREPARE st;
      END$$
      DELIMITER ;
      CALL FixPkIfNeeded('queue_message');
      """;

  @Test
  @DisplayName("G4: each PREPARE and EXECUTE a CALL runs is reported once, at its own body line")
  void oneFindingPerCause() throws Exception {
    Path f = Files.writeString(dir.resolve("V8__update_pk.sql"), V8, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"), "version: 1\n".getBytes(StandardCharsets.UTF_8));
    List<String> atCall =
        new Linter(DatabaseKind.MARIADB)
            .lintFiles(List.of(f), c, true).findings().stream()
                .filter(x -> x.rule().equals("dynamic-sql"))
                .filter(x -> x.location().line() == 18)
                .map(Finding::message)
                .toList();
    assertThat(atCall).doesNotHaveDuplicates().hasSize(6);
    assertThat(atCall)
        .anyMatch(m -> m.contains("PREPARE") && m.contains("in FixPkIfNeeded() at line 5,"))
        .anyMatch(m -> m.contains("EXECUTE") && m.contains("in FixPkIfNeeded() at line 6,"))
        .anyMatch(m -> m.contains("PREPARE") && m.contains("in FixPkIfNeeded() at line 13,"));
  }
}
