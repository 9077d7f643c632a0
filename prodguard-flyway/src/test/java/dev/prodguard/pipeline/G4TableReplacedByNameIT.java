package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G4 (attack 13, F2 and F3) on a real MariaDB: a migration that replaces or converts the protected
 * table {@code users} by naming it as the object of another statement is refused by promote before
 * it runs; {@code users} keeps its two rows. Before, both promoted (exit 0) and the table was gone:
 * a sequence in its place, or its rows a partition of an unprotected table that the next statement
 * emptied (the attacker's next statement, {@code DELETE FROM users_archive}).
 */
@DisplayName("G4: MariaDB promote refuses replacing or converting a protected table by name")
class G4TableReplacedByNameIT {
  @TempDir Path dir;

  /**
   * The attacker's contract: users protected, alter-column-type not in the forbidden list (so the
   * old reading of CONVERT TABLE, an alter-column-type of the archive, did not block).
   */
  private void attackersContract() throws Exception {
    Files.writeString(
        dir.resolve("prodguard-contract.yml"),
        "version: 1\n"
            + "forbidden: [drop-database, drop-schema, drop-table, drop-column, truncate,"
            + " delete-without-where, update-without-where, rename-table, rename-column, grant,"
            + " revoke, unknown-statement, transaction-control]\n"
            + "protected-tables: { users: {} }\n");
  }

  private static void assertRefused(PipelineFixture f, String file, String... why)
      throws Exception {
    GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().promote("prod"));
    assertThat(r).as("promote must be refused").isNotNull();
    assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
    assertThat(r.why()).contains(file).contains(why);
    assertThat(f.query("SELECT COUNT(*) FROM users")).contains("2");
    assertThat(
            f.query(
                "SELECT table_type FROM information_schema.tables"
                    + " WHERE table_schema = DATABASE() AND table_name = 'users'"))
        .contains("BASE TABLE");
  }

  @Test
  @DisplayName("G4 (F2): CREATE OR REPLACE SEQUENCE of a protected table is refused")
  void createOrReplaceSequenceOfProtectedTable() throws Exception {
    try (PipelineFixture f = PipelineFixture.protectedUsers(DatabaseKind.MARIADB, dir, "")) {
      attackersContract();
      f.migration("V3__attack.sql", "CREATE OR REPLACE SEQUENCE users;\n");

      assertRefused(
          f,
          "V3__attack.sql",
          "[drop-table]",
          "protected-table-write",
          "drop table on protected table users");
    }
  }

  @Test
  @DisplayName(
      "G4 (F3): ALTER TABLE p CONVERT TABLE protected TO PARTITION is refused as the drop of the"
          + " protected table")
  void convertProtectedTableToPartition() throws Exception {
    try (PipelineFixture f = PipelineFixture.protectedUsers(DatabaseKind.MARIADB, dir, "")) {
      attackersContract();
      f.migration(
          "V3__archive.sql",
          "CREATE TABLE users_archive (id INT PRIMARY KEY, account_id INT)"
              + " PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (0));\n");
      f.pipeline().promote("prod");
      f.migration(
          "V4__attack.sql",
          "ALTER TABLE users_archive CONVERT TABLE users TO PARTITION p1"
              + " VALUES LESS THAN MAXVALUE;\n");

      assertRefused(
          f,
          "V4__attack.sql",
          "[drop-table]",
          "protected-table-write",
          "drop table on protected table users");
    }
  }
}
