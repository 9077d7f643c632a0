package dev.prodguard.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * G4, PostgreSQL {@code ALTER COLUMN ... TYPE} judged by what it does to the column the migrations
 * defined: a change that keeps every stored value and index (conductor's {@code V12}: {@code
 * task_type} VARCHAR(32) to TEXT) is no type change; anything else, or a column whose definition
 * the migrations do not show (CREATE TABLE IF NOT EXISTS may keep an older table), stays one.
 */
@DisplayName("G4: a PostgreSQL type change is judged against the column's known type")
class G4PostgresTypeChangeTest {

  private static final String TABLE =
      "CREATE TABLE t (v VARCHAR(32) NOT NULL, cv character varying(10), x TEXT,"
          + " n NUMERIC(10,2) DEFAULT 0, u NUMERIC, b BIT VARYING(8), c CIDR, i INT,"
          + " k VARCHAR(5) COLLATE \"C\");\n";

  private static String after(String alter) {
    String all = G4AlterTableDialectTest.pg(TABLE + alter);
    return all.substring(all.indexOf("; ", all.indexOf("create-table")) + 2);
  }

  @ParameterizedTest(name = "G4: {0} keeps every value")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ALTER TABLE t ALTER COLUMN v TYPE TEXT | from VARCHAR(32)
          ALTER TABLE t ALTER COLUMN v TYPE varchar(64) | from VARCHAR(32)
          ALTER TABLE t ALTER COLUMN v TYPE varchar(32) | from VARCHAR(32)
          ALTER TABLE t ALTER COLUMN v TYPE character varying | from VARCHAR(32)
          ALTER TABLE t ALTER v SET DATA TYPE varchar(100) | from VARCHAR(32)
          ALTER TABLE t ALTER COLUMN cv TYPE varchar(20) | from CHARACTER VARYING(10)
          ALTER TABLE t ALTER COLUMN x TYPE varchar | from TEXT
          ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2) | from NUMERIC(10, 2)
          ALTER TABLE t ALTER COLUMN n TYPE numeric | from NUMERIC(10, 2)
          ALTER TABLE t ALTER COLUMN b TYPE varbit(16) | from BIT VARYING(8)
          ALTER TABLE t ALTER COLUMN c TYPE inet | from CIDR
          """)
  void free(String alter, String from) {
    assertThat(after(alter))
        .startsWith("alter-table-other t.")
        .contains("keeps every stored value (" + from + ": no table rewrite, indexes kept)");
  }

  @ParameterizedTest(name = "G4: {0} is a type change")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ALTER TABLE t ALTER COLUMN v TYPE varchar(16)
          ALTER TABLE t ALTER COLUMN x TYPE varchar(64)
          ALTER TABLE t ALTER COLUMN n TYPE numeric(12,3)
          ALTER TABLE t ALTER COLUMN n TYPE numeric(9,2)
          ALTER TABLE t ALTER COLUMN u TYPE numeric(12,2)
          ALTER TABLE t ALTER COLUMN b TYPE varbit(4)
          ALTER TABLE t ALTER COLUMN c TYPE text
          ALTER TABLE t ALTER COLUMN i TYPE bigint
          ALTER TABLE t ALTER COLUMN k TYPE varchar(10)
          ALTER TABLE t ALTER COLUMN v TYPE TEXT COLLATE "C"
          ALTER TABLE t ALTER COLUMN v TYPE TEXT USING lower(v)
          ALTER TABLE t ALTER COLUMN v TYPE TEXT[]
          ALTER TABLE t ALTER COLUMN unknown TYPE TEXT
          """)
  void typeChange(String alter) {
    assertThat(after(alter)).startsWith("alter-column-type t.");
  }

  @ParameterizedTest(name = "G4: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TABLE IF NOT EXISTS t (v VARCHAR(32));ALTER TABLE t ALTER COLUMN v TYPE TEXT | unknown: IF NOT EXISTS may keep an older table
          CREATE TABLE t (v VARCHAR(32));ALTER TABLE t ALTER COLUMN v TYPE varchar(8);ALTER TABLE t ALTER COLUMN v TYPE TEXT | unknown after a type change
          CREATE TABLE t (v VARCHAR(32));ALTER TABLE t ADD COLUMN w TEXT;ALTER TABLE t ALTER COLUMN w TYPE TEXT | a column added later is not recorded
          CREATE TABLE t (v VARCHAR(32));DO $$ BEGIN ALTER TABLE t ALTER COLUMN v TYPE varchar(64); END $$;ALTER TABLE t ALTER COLUMN v TYPE TEXT | forgotten after a body
          CREATE TABLE t (v VARCHAR(32));DROP TABLE t;CREATE TABLE IF NOT EXISTS t (v TEXT);ALTER TABLE t ALTER COLUMN v TYPE TEXT | forgotten with the table
          """)
  void lastIsATypeChange(String sql, String why) {
    String all = G4AlterTableDialectTest.pg(sql.replace(";", ";\n"));
    assertThat(all.substring(all.lastIndexOf("; ") + 2)).as(why).startsWith("alter-column-type t.");
  }

  @ParameterizedTest(name = "G4: {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          CREATE TABLE t (v VARCHAR(32) NOT NULL);ALTER TABLE t ALTER COLUMN v TYPE varchar(64);ALTER TABLE t ALTER COLUMN v TYPE TEXT | widened twice
          CREATE TABLE t (v VARCHAR(32));ALTER TABLE t RENAME COLUMN v TO w;ALTER TABLE t ALTER COLUMN w TYPE TEXT | a renamed column keeps its type
          """)
  void lastKeepsValues(String sql, String why) {
    String all = G4AlterTableDialectTest.pg(sql.replace(";", ";\n"));
    assertThat(all.substring(all.lastIndexOf("; ") + 2)).as(why).startsWith("alter-table-other t.");
  }
}
