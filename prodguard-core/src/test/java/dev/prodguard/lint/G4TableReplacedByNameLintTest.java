package dev.prodguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.contract.Contract;
import dev.prodguard.contract.ContractLoader;
import dev.prodguard.db.DatabaseKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * G4 (attack 13): on MariaDB, a statement that replaces, drops, moves or converts a protected table
 * by naming it as the object of something else is refused on a protected environment, with the rule
 * of what it does to that table. Before, {@code CREATE OR REPLACE SEQUENCE accounts} and {@code
 * ALTER TABLE customers_archive CONVERT TABLE customers TO PARTITION ...} passed (the second as an
 * alter-column-type of the archive); on MariaDB 10.11 both leave no table {@code accounts} / {@code
 * customers} with its rows.
 */
@DisplayName("G4: MariaDB statements that replace or convert a protected table by name are refused")
class G4TableReplacedByNameLintTest {
  @TempDir Path dir;

  /** Blocking findings as {@code rule: message}, the protected tables made by an earlier file. */
  List<String> blocking(String sql) throws Exception {
    Path v1 =
        Files.writeString(
            dir.resolve("V1__init.sql"),
            "CREATE TABLE accounts (id INT PRIMARY KEY);\n"
                + "CREATE TABLE customers (id INT PRIMARY KEY);\n",
            StandardCharsets.UTF_8);
    Path v2 = Files.writeString(dir.resolve("V2__x.sql"), sql, StandardCharsets.UTF_8);
    Contract c =
        ContractLoader.parse(
            dir.resolve("prodguard-contract.yml"),
            "version: 1\nprotected-tables:\n  accounts: {}\n  customers: {}\n"
                .getBytes(StandardCharsets.UTF_8));
    return new Linter(DatabaseKind.MARIADB)
        .lintFiles(List.of(v2), List.of(v1), c, true).blocking().stream()
            .map(f -> f.rule() + ": " + f.message())
            .toList();
  }

  @ParameterizedTest(name = "G4: MariaDB {0} is refused by {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE OR REPLACE SEQUENCE accounts; | protected-table-write: drop table on protected table accounts
          CREATE OR REPLACE SEQUENCE accounts; | drop-table: CREATE OR REPLACE SEQUENCE drops the existing table (or sequence) accounts
          CREATE OR REPLACE TABLE accounts LIKE other; | protected-table-write: drop table on protected table accounts
          CREATE OR REPLACE TABLE accounts AS SELECT 1 AS id; | protected-table-write: drop table on protected table accounts
          CREATE TABLE customers_archive (id INT PRIMARY KEY) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (0)); ALTER TABLE customers_archive CONVERT TABLE customers TO PARTITION p1 VALUES LESS THAN MAXVALUE; | protected-table-write: drop table on protected table customers
          CREATE TABLE customers_archive (id INT PRIMARY KEY) PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (0)); ALTER TABLE customers_archive CONVERT TABLE customers TO PARTITION p1 VALUES LESS THAN MAXVALUE; | drop-table: CONVERT TABLE ... TO PARTITION makes its rows a partition of customers_archive and drops the table customers
          ALTER TABLE customers CONVERT PARTITION p0 TO TABLE loose; | protected-table-write: truncate on protected table customers
          ALTER TABLE p EXCHANGE PARTITION p0 WITH TABLE customers; | protected-table-write: truncate on protected table customers
          RENAME TABLE customers TO tmp, other TO customers, tmp TO other; | protected-table-write: rename table on protected table customers
          ALTER TABLE customers RENAME TO gone; | protected-table-write: rename table on protected table customers
          ALTER TABLE customers ENGINE=BLACKHOLE; | protected-table-write: truncate on protected table customers
          ALTER TABLE customers ENGINE=MEMORY; | protected-table-write: truncate on protected table customers
          ALTER TABLE customers REMOVE PARTITIONING; | protected-table-write: alter table other on protected table customers
          ALTER TABLE customers DROP PARTITION p0; | protected-table-write: drop table on protected table customers
          ALTER TABLE customers TRUNCATE PARTITION p0; | protected-table-write: truncate on protected table customers
          ALTER TABLE customers DISCARD TABLESPACE; | protected-table-write: truncate on protected table customers
          ALTER TABLE customers FORCE; | protected-table-write: alter table other on protected table customers
          ALTER TABLE customers ADD SYSTEM VERSIONING; | protected-table-write: alter table other on protected table customers
          ALTER TABLE customers DROP SYSTEM VERSIONING; | protected-table-write: delete on protected table customers
          DELETE HISTORY FROM customers; | protected-table-write: delete on protected table customers
          DELETE HISTORY FROM customers BEFORE SYSTEM_TIME '2020-01-01'; | protected-table-write: delete on protected table customers
          CREATE TRIGGER t AFTER INSERT ON other FOR EACH ROW DELETE FROM customers WHERE id = NEW.id; | protected-table-write: delete on protected table customers
          ALTER TABLE other FUTURE CLAUSE WITH TABLE customers; | unknown-statement: prodguard cannot tell what this statement does: ALTER TABLE other FUTURE ... TABLE names another table
          """)
  void refused(String sql, String finding) throws Exception {
    assertThat(blocking(sql)).anySatisfy(f -> assertThat(f).startsWith(finding.strip()));
  }

  @ParameterizedTest(name = "G4: MariaDB {0} stays free")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE SEQUENCE invoice_seq;
          ALTER TABLE other CONVERT TO CHARACTER SET utf8mb4;
          DELETE HISTORY FROM other BEFORE SYSTEM_TIME '2020-01-01';
          """)
  void unprotectedStaysFreeOfProtectedFindings(String sql) throws Exception {
    assertThat(blocking(sql))
        .noneMatch(f -> f.startsWith("protected-table-write") || f.startsWith("unknown-statement"));
  }
}
