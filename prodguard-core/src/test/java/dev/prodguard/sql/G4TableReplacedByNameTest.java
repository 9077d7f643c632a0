package dev.prodguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * G4 (attack 13, F2 and F3): a MariaDB statement that replaces, drops, moves or converts an
 * existing table by naming it as the object of something else is read as what it does to that
 * table. {@code CREATE OR REPLACE SEQUENCE t} drops table t (a sequence is a table there); {@code
 * ALTER TABLE p CONVERT TABLE t TO PARTITION ...} makes t's rows a partition of p and drops t (it
 * was read as CONVERT TO CHARACTER SET of p); an ALTER TABLE clause that still names a TABLE after
 * prodguard read it is unknown (fail closed). Each behaviour was checked on MariaDB 10.11.
 */
@DisplayName("G4: MariaDB statements that replace or convert a table by name are read as such")
class G4TableReplacedByNameTest {

  @ParameterizedTest(name = "G4: MariaDB {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE OR REPLACE SEQUENCE accounts | drop-table accounts (CREATE OR REPLACE SEQUENCE drops the existing table (or sequence)); create-other accounts (SEQUENCE)
          CREATE OR REPLACE SEQUENCE app.accounts START WITH 10 | drop-table app.accounts (CREATE OR REPLACE SEQUENCE drops the existing table (or sequence)); create-other app.accounts (SEQUENCE)
          CREATE SEQUENCE accounts_seq | create-other accounts_seq (SEQUENCE)
          CREATE OR REPLACE TEMPORARY SEQUENCE accounts | create-other accounts (SEQUENCE)
          CREATE OR REPLACE TABLE accounts LIKE other | drop-table accounts (CREATE OR REPLACE TABLE drops the existing table); create-table accounts
          ALTER TABLE customers_archive CONVERT TABLE customers TO PARTITION p1 VALUES LESS THAN MAXVALUE | drop-table customers (CONVERT TABLE ... TO PARTITION makes its rows a partition of customers_archive and drops the table); alter-table-other customers_archive (CONVERT TABLE customers TO PARTITION adds its rows to the table)
          ALTER TABLE customers_archive WAIT 5 CONVERT TABLE app.customers TO PARTITION p1 VALUES LESS THAN (100) | drop-table app.customers (CONVERT TABLE ... TO PARTITION makes its rows a partition of customers_archive and drops the table); alter-table-other customers_archive (CONVERT TABLE app.customers TO PARTITION adds its rows to the table)
          ALTER TABLE customers CONVERT PARTITION p0 TO TABLE customers_old | truncate customers (CONVERT PARTITION p0 TO TABLE customers_old moves the partition's rows out of the table); create-table customers_old (CONVERT PARTITION of customers)
          ALTER TABLE customers CONVERT TO CHARACTER SET utf8mb4 | alter-column-type customers (CONVERT TO CHARACTER SET changes the type of every text column and copies the table)
          ALTER TABLE customers CONVERT TO CHARSET utf8mb4 | alter-column-type customers (CONVERT TO CHARACTER SET changes the type of every text column and copies the table)
          ALTER TABLE p EXCHANGE PARTITION p0 WITH TABLE customers | truncate p (EXCHANGE PARTITION replaces every row of the partition with another table's rows); truncate customers (EXCHANGE PARTITION replaces every row of the table with the rows of a partition of p)
          ALTER TABLE customers ADD SYSTEM VERSIONING | alter-table-other customers [REWRITE] (ADD SYSTEM VERSIONING copies the table)
          ALTER TABLE customers DROP SYSTEM VERSIONING | delete customers (DROP SYSTEM VERSIONING); alter-table-other customers (DROP SYSTEM VERSIONING)
          ALTER TABLE customers ADD system INT | add-column customers.system
          DELETE HISTORY FROM customers | delete customers (DELETE HISTORY deletes the table's history rows, all of them)
          DELETE HISTORY FROM customers BEFORE SYSTEM_TIME '2020-01-01' | delete customers [HAS_WHERE] (DELETE HISTORY deletes the table's history rows before the time given)
          """)
  void readAsWhatItDoesToTheNamedTable(String sql, String expected) {
    assertThat(G4AlterTableDialectTest.mysql(sql)).isEqualTo(expected.strip());
  }

  @ParameterizedTest(name = "G4: MariaDB {0} is unknown")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ALTER TABLE p CONVERT SOMETHING customers | ALTER TABLE p CONVERT SOMETHING: a form of CONVERT prodguard does not know
          ALTER TABLE p FUTURE CLAUSE WITH TABLE customers | ALTER TABLE p FUTURE ... TABLE names another table in a way prodguard does not read: what it does to that table's rows is unknown
          ALTER TABLE p COMMENT 'x', FUTURE TABLE customers | ALTER TABLE p FUTURE ... TABLE names another table in a way prodguard does not read: what it does to that table's rows is unknown
          """)
  void unreadClauseNamingAnotherTableIsUnknown(String sql, String why) {
    assertThat(G4AlterTableDialectTest.mysql(sql)).contains("unknown").contains(why.strip());
  }
}
