package dev.prodguard.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G7 attacked on real PostgreSQL and MariaDB: every way to reach deploy without a live verification
 * of exactly the migrations that would run.
 */
@DisplayName("G7 order-locked pipeline")
class G7OrderLockedPipelineIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: deployment fails without verification state")
  void deployWithoutVerification(DatabaseKind kind) {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));

      assertThat(r).isNotNull();
      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("deployment fails without verification state");
      assertThat(r.fix()).contains("prodguard verify prod");
      assertThat(f.tableExists("items")).isFalse();
      assertThat(f.tableExists("flyway_schema_history")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G9: deployment fails without backup state")
  void deployWithoutBackup(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Run verified = f.pipeline().verify("prod").run().orElseThrow();

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G9);
      assertThat(r.why()).contains("deployment fails without backup state", verified.id());
      assertThat(f.tableExists("items")).isFalse();
      assertThat(f.run(verified.id()).status()).isEqualTo(RunStatus.VERIFIED);
      assertThat(
              f.query(
                  "SELECT COUNT(*) FROM prodguard_audit WHERE outcome = 'refused'"
                      + " AND command = 'deploy prod'"))
          .as("the refusal after connecting is audited")
          .contains("1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: deployment fails after the verification expired")
  void deployAfterVerificationExpired(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Run run = f.pipeline().verify("prod").run().orElseThrow();
      f.pipeline().backup("prod", Optional.empty());

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class,
              () -> f.pipeline(f.ciAt(Duration.ofMinutes(31))).deploy("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("verification of run " + run.id() + " expired");
      assertThat(f.run(run.id()).status()).isEqualTo(RunStatus.EXPIRED);
      assertThat(f.tableExists("items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: backup and deployment fail when a migration file changed after verify")
  void migrationChangedAfterVerify(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().verify("prod");
      f.migration("V1__items.sql", "CREATE TABLE items (id INT PRIMARY KEY);\nDROP TABLE items;\n");

      GuardRefusal backup =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().backup("prod", Optional.empty()));
      GuardRefusal deploy =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));

      assertThat(backup.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(backup.why()).contains("not the set run", "changed, added or removed");
      assertThat(deploy).isNotNull();
      assertThat(f.tableExists("items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G7: backup checks the set while the dump runs: a set changed since verify is still"
          + " refused, the dump taken beside the check is deleted and the run records no backup")
  void changedSetLeavesNoDump(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      String run = f.pipeline().verify("prod").run().orElseThrow().id();
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT PRIMARY KEY);\n");

      GuardRefusal backup =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().backup("prod", Optional.of(run)));

      assertThat(backup.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(backup.why()).contains("not the set run", run);
      Path backups = dir.resolve("backups");
      if (Files.isDirectory(backups)) {
        try (var left = Files.list(backups)) {
          assertThat(left.map(p -> p.getFileName().toString()).toList()).isEmpty();
        }
      }
      assertThat(f.run(run).backup()).isEmpty();
      assertThat(f.tableExists("more_items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: deployment fails when a new migration file appeared after backup")
  void newFileAfterBackup(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().verify("prod");
      f.pipeline().backup("prod", Optional.empty());
      f.migration("V2__sneaky.sql", "CREATE TABLE sneaky (id INT);\n");

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("V2__sneaky.sql");
      assertThat(f.tableExists("items")).isFalse();
      assertThat(f.tableExists("sneaky")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: a run is single use: deploying it again is refused")
  void runAlreadyDeployed(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Results.Promote p = f.pipeline().promote("prod");
      String id = p.verify().run().orElseThrow().id();
      assertThat(f.run(id).status()).isEqualTo(RunStatus.DEPLOYED);

      GuardRefusal byId =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.of(id)));
      GuardRefusal latest =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));

      assertThat(byId.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(byId.why()).contains(id, "already deployed", "single use");
      assertThat(latest.why()).contains("single use");
      assertThat(f.query("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '1'"))
          .contains("1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: deployment fails when the state row was edited (wrong hash)")
  void stateRowEdited(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Run run = f.pipeline().verify("prod").run().orElseThrow();
      f.pipeline().backup("prod", Optional.empty());
      f.db.execute(
          "UPDATE prodguard_run SET migration_set_sha256 = '"
              + "0".repeat(64)
              + "' WHERE id = '"
              + run.id()
              + "'");

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.empty()));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("state row was edited", "0".repeat(64));
      assertThat(f.tableExists("items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: a deployed run edited back to backed_up does not deploy again")
  void deployedRunResurrected(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      String id = f.pipeline().promote("prod").verify().run().orElseThrow().id();
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT);\n");
      f.db.execute("UPDATE prodguard_run SET status = 'backed_up' WHERE id = '" + id + "'");

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.of(id)));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("not the set run " + id);
      assertThat(f.tableExists("more_items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: verify refuses when an applied migration was edited")
  void appliedMigrationEdited(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      f.pipeline().promote("prod");
      f.migration(
          "V1__items.sql",
          "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50));\n-- edited after deploy\n");
      f.migration("V2__more.sql", "CREATE TABLE more_items (id INT);\n");

      GuardRefusal r = catchThrowableOfType(GuardRefusal.class, () -> f.pipeline().verify("prod"));

      assertThat(r.guarantee()).isEqualTo(Guarantee.G7);
      assertThat(r.why()).contains("do not match the files").containsIgnoringCase("checksum");
      assertThat(f.tableExists("more_items")).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DatabaseKind.class)
  @DisplayName("G7: a new verification supersedes the open run, which can no longer deploy")
  void newVerificationSupersedes(DatabaseKind kind) throws Exception {
    try (PipelineFixture f = PipelineFixture.prod(kind, dir)) {
      Run first = f.pipeline().verify("prod").run().orElseThrow();
      f.pipeline().backup("prod", Optional.empty());
      Run second = f.pipeline().verify("prod").run().orElseThrow();

      GuardRefusal r =
          catchThrowableOfType(
              GuardRefusal.class, () -> f.pipeline().deploy("prod", Optional.of(first.id())));

      assertThat(f.run(first.id()).status()).isEqualTo(RunStatus.EXPIRED);
      assertThat(r.why()).contains("expired", "superseded by run " + second.id());
      assertThat(Files.exists(dir.resolve("backups"))).isTrue();
    }
  }
}
