package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The account of a half-applied migration (issue 14, item B), without a database. */
@DisplayName("G7: the account of a migration that failed half-way")
class G7PartialMigrationTest {
  private static final String TEXT =
      "INSERT INTO items (id, note) VALUES (4, 'value-four');\n"
          + "CREATE TABLE a (id int);\n"
          + "UPDATE items SET note = 'value-one' WHERE id = 1;\n"
          + "CREATE TABLE b (id int REFERENCES nowhere (id));\n"
          + "CREATE TABLE c (id int);\n";

  /** A MariaDB session, checked by hand: the UPDATE before a failing DDL statement stays. */
  private static String mariadb(String text, int failedLine) {
    return PartialMigration.account(
            DatabaseKind.MARIADB,
            false,
            "db/migration/V2__x.sql",
            text,
            failedLine,
            true,
            "flyway_schema_history",
            Optional.of("restore the backup /b/prod.sql (sha256 ab)"),
            "prod")
        .orElseThrow();
  }

  @Test
  @DisplayName(
      "G7: MariaDB in Flyway's transaction, a row change fails: what an implicit commit kept, what"
          + " the rollback took, what failed, what never ran; no values")
  void mariadbRowChangeFails() {
    String a =
        mariadb(
            "INSERT INTO items (id, note) VALUES (4, 'value-four');\n"
                + "CREATE TABLE a (id int);\n"
                + "UPDATE items SET note = 'value-one' WHERE id = 1;\n"
                + "INSERT INTO items (id) VALUES (4);\n"
                + "CREATE TABLE c (id int);\n",
            4);
    String committed =
        a.substring(a.indexOf("applied and committed"), a.indexOf("rolled back with"));
    assertThat(committed)
        .contains("V2__x.sql:1  INSERT INTO items (id, note) ...", "V2__x.sql:2  CREATE TABLE a")
        .doesNotContain("UPDATE");
    assertThat(a.substring(a.indexOf("rolled back with"), a.indexOf("failed: ")))
        .contains("V2__x.sql:3  UPDATE items ...");
    assertThat(a.substring(a.indexOf("failed: "), a.indexOf("not run:")))
        .contains("V2__x.sql:4  INSERT INTO items");
    assertThat(a.substring(a.indexOf("not run:"))).contains("V2__x.sql:5  CREATE TABLE c");
    assertThat(a)
        .doesNotContain("value-four")
        .doesNotContain("value-one")
        .contains("restore the backup /b/prod.sql", "prodguard repair prod");
  }

  @Test
  @DisplayName(
      "G7: MariaDB, a DDL statement fails: its implicit commit ran first, so the row change before"
          + " it is named as committed, never as rolled back (checked on MariaDB 10.11 by hand:"
          + " UPDATE, then a CREATE TABLE with a broken foreign key, then a disconnect: the UPDATE"
          + " stays)")
  void mariadbDdlFails() {
    String a = mariadb(TEXT, 4);
    assertThat(a).doesNotContain("rolled back with").contains("commits what ran before it");
    assertThat(a.substring(a.indexOf("applied and committed"), a.indexOf("failed: ")))
        .contains("V2__x.sql:1  INSERT", "V2__x.sql:2  CREATE TABLE a", "V2__x.sql:3  UPDATE");
    assertThat(a.substring(a.indexOf("failed: "), a.indexOf("not run:")))
        .contains("V2__x.sql:4  CREATE TABLE b");
  }

  @Test
  @DisplayName(
      "G7: MariaDB in a transaction, the first statement fails and commits nothing: no account"
          + " (the deploy's usual message, 'No restore is needed' where true, stays)")
  void nothingStayed() {
    assertThat(
            PartialMigration.account(
                DatabaseKind.MARIADB,
                false,
                "V2__x.sql",
                "INSERT INTO items (id) VALUES (1);\nCREATE TABLE c (id int);\n",
                1,
                true,
                "h",
                Optional.empty(),
                "prod"))
        .isEmpty();
  }

  @Test
  @DisplayName(
      "G7: outside a transaction every statement before the failure stays; no backup, no restore"
          + " advice; a line outside the statements gives no account")
  void outsideTransaction() {
    String a =
        PartialMigration.account(
                DatabaseKind.POSTGRESQL,
                true,
                "V2__x.sql",
                TEXT,
                3,
                false,
                "flyway_schema_history",
                Optional.empty(),
                "prod")
            .orElseThrow();
    assertThat(a.substring(a.indexOf("applied and committed"), a.indexOf("failed: ")))
        .contains("V2__x.sql:1", "V2__x.sql:2")
        .doesNotContain("rolled back with");
    assertThat(a).doesNotContain("restore the backup").contains("ran outside a transaction");
    assertThat(
            PartialMigration.account(
                DatabaseKind.MARIADB,
                false,
                "V2__x.sql",
                TEXT,
                40,
                true,
                "h",
                Optional.empty(),
                "prod"))
        .isEmpty();
  }
}
