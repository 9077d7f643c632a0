package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL lets a {@code DO} block, or a procedure called by {@code CALL}, run {@code COMMIT}
 * when the migration runs outside a transaction ({@code executeInTransaction=false} in the script
 * configuration {@code V2__x.sql.conf}): what the block did before its COMMIT stays when a later
 * statement of it fails. lint and verify refuse it ({@code transaction-control}); where a reviewed
 * contract exception lets it deploy and it fails, the deploy's failure says that the failed
 * statement may have committed part of its work (never "nothing applied"), keeps the failed entry,
 * and names the environment in the repair command.
 */
@DisplayName("G7: PostgreSQL DO / CALL that commits, in a migration outside a transaction")
class G7CommitOutsideTransactionIT {
  @TempDir Path dir;

  static final String DO_BLOCK =
      "DO $$ BEGIN INSERT INTO items VALUES (10, 'ten'); COMMIT;"
          + " INSERT INTO items VALUES (1, 'again'); END $$;\n";

  static final String CALL =
      "CREATE PROCEDURE keep_then_fail() LANGUAGE plpgsql AS $$ BEGIN"
          + " INSERT INTO items VALUES (20, 'twenty'); COMMIT;"
          + " INSERT INTO items VALUES (1, 'again'); END $$;\n"
          + "CALL keep_then_fail();\n";

  private static void outsideATransaction(PipelineFixture f, String sql) {
    f.migration("V2__commits.sql", sql);
    f.migration("V2__commits.sql.conf", "executeInTransaction=false\n");
  }

  private static void reviewed(PipelineFixture f) throws Exception {
    Files.writeString(
        f.dir.resolve("prodguard-contract.yml"),
        """
        version: 1
        exceptions:
          - { migration: V2, rule: transaction-control, reason: "reviewed: commits a row on purpose" }
        """);
  }

  /** V1 deployed, then V2 ({@code sql}, reviewed, outside a transaction): the deploy's failure. */
  private static String failedDeploy(PipelineFixture f, String sql) throws Exception {
    f.pipeline().promote("prod");
    outsideATransaction(f, sql);
    reviewed(f);
    Throwable t = catchThrowable(() -> f.pipeline().promote("prod"));
    assertThat(t).isInstanceOf(DeployFailure.class);
    return t.getMessage();
  }

  @Test
  @DisplayName("G7: verify refuses a DO block and a CALL that commit (transaction-control)")
  void verifyRefuses() throws Exception {
    for (String sql : new String[] {DO_BLOCK, CALL}) {
      Path own = Files.createDirectories(dir.resolve(sql.startsWith("DO") ? "do" : "call"));
      try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, own)) {
        f.pipeline().promote("prod");
        outsideATransaction(f, sql);
        Throwable t = catchThrowable(() -> f.pipeline().promote("prod"));
        assertThat(t).isInstanceOf(GuardRefusal.class);
        assertThat(t.getMessage()).contains("transaction-control", "COMMIT");
        assertThat(f.query("SELECT count(*)::text FROM items WHERE id IN (10, 20)")).contains("0");
      }
    }
  }

  @Test
  @DisplayName(
      "G7: a reviewed DO block that commits, then fails: the failure says part of it may have"
          + " stayed, the entry stays, the repair command names the environment")
  void doBlockFailsAfterItsCommit() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      String m = failedDeploy(f, DO_BLOCK);
      assertThat(m)
          .contains(
              "V2__commits.sql:1  DO ...",
              "may have committed part of its work",
              "prodguard repair prod --reason")
          .doesNotContain("repair ENV")
          .doesNotContain("No restore is needed")
          .doesNotContain("Nothing of V2__commits.sql remains");
      assertThat(m.lines().count()).isLessThanOrEqualTo(40);
      // what the message says is what the server kept: the row before the COMMIT
      assertThat(f.query("SELECT count(*)::text FROM items WHERE id = 10")).contains("1");
      assertThat(
              f.query(
                  "SELECT count(*)::text FROM flyway_schema_history WHERE version = '2' AND NOT"
                      + " success"))
          .contains("1");
    }
  }

  @Test
  @DisplayName(
      "G7: a reviewed CALL of a procedure that commits, then fails: named as possibly partly"
          + " committed, after the CREATE PROCEDURE that stayed")
  void callFailsAfterItsCommit() throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(DatabaseKind.POSTGRESQL, dir)) {
      String m = failedDeploy(f, CALL);
      assertThat(m)
          .contains(
              "V2__commits.sql:1  CREATE PROCEDURE keep_then_fail()",
              "V2__commits.sql:2  CALL keep_then_fail()",
              "may have committed part of its work",
              "prodguard repair prod --reason")
          .doesNotContain("repair ENV");
      assertThat(m.lines().count()).isLessThanOrEqualTo(40);
      assertThat(f.query("SELECT count(*)::text FROM items WHERE id = 20")).contains("1");
    }
  }
}
