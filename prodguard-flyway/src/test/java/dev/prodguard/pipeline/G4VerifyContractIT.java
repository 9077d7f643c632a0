package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** G4 in the pipeline: verify analyses the pending set against the contract and binds its hash. */
@DisplayName("G4 frozen mutation contract (pipeline)")
class G4VerifyContractIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: the contract check fails when a migration breaks it; nothing is recorded")
  void verifyRefusesForbiddenMigration(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration("V2__drop.sql", "DROP TABLE items;\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("V2__drop.sql", "drop-table");
      assertThat(f.query("SELECT COUNT(*) FROM prodguard_run WHERE status = 'verified'"))
          .contains("0");
      assertThat(f.tableExists("items")).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: deployment fails when the contract changed after verify")
  void contractChangedAfterVerify(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Files.writeString(dir.resolve("prodguard-contract.yml"), "version: 1\n");
      Run run = f.pipeline().verify("prod").run().orElseThrow();
      f.pipeline().backup("prod", Optional.empty());
      assertThat(run.contractSha256()).isPresent();
      Files.writeString(
          dir.resolve("prodguard-contract.yml"), "version: 1\nforbidden: [drop-database]\n");

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("contract", "changed since run " + run.id());
      assertThat(f.tableExists("items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: verify refuses a DROP hidden from the old analyser by a bare-CR comment")
  void carriageReturnComment(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration("V2__tidy.sql", "-- tidy up\rDROP TABLE items;\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      // PostgreSQL ends the comment at the CR and runs the DROP; MariaDB does not, but Flyway
      // would end it there: prodguard refuses rather than guess
      assertThat(r.why())
          .contains("V2__tidy.sql")
          .contains(kind == DatabaseKind.POSTGRESQL ? "drop-table" : "carriage return");
      assertThat(f.tableExists("items")).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G4: verify refuses a migration that Flyway would split differently from prodguard")
  void flywaySplitsDifferently(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V2__split.sql",
          kind == DatabaseKind.POSTGRESQL
              ? "PREPARE q(int) AS SELECT $1;\nSELECT 2;\n"
              : "SELECT 1 --1;\nSELECT 2;\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why())
          .contains("V2__split.sql:1: [unknown-statement]")
          .contains("the migration tool and the server's rules disagree on statement 1");
    }
  }
}
