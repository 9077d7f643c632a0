package dev.prodguard.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prodguard.audit.AuditLog;
import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.Guarantee;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** --apply and --revert on real servers: backup, one transaction, before-images, exact undo. */
@DisplayName("sync: apply and revert")
class SyncApplyRevertIT {
  static final String SELECT =
      "SELECT id, name, price, active, note, internal FROM services ORDER BY id";

  @TempDir Path dir;

  private static SyncFixture fixture(DatabaseKind kind, Path dir) throws Exception {
    SyncFixture f = new SyncFixture(kind, dir, SyncDryRunIT.CONTRACT);
    SyncDryRunIT.servicesTable(f);
    f.dev.execute(
        "INSERT INTO services VALUES (1, 'Basic', 10.00, true, NULL, 'dev')",
        "INSERT INTO services VALUES (2, 'Gold', 25.50, true, '', 'dev')",
        "INSERT INTO services VALUES (3, 'New', 1.25, false, 'fresh', 'dev')",
        "INSERT INTO services VALUES (5, 'Nulls', NULL, NULL, NULL, 'dev')");
    f.prod.execute(
        "INSERT INTO services VALUES (1, 'Basic', 10.00, true, NULL, 'prod 1')",
        "INSERT INTO services VALUES (2, 'Gold', 20.00, true, NULL, 'prod 2')",
        "INSERT INTO services VALUES (5, 'Nulls', 3.00, true, '', 'prod 5')",
        "INSERT INTO services VALUES (9, 'Old', 5.00, false, 'gone', 'prod 9')");
    return f;
  }

  /** The synced columns of the source with the target's untouched column. */
  private static List<List<String>> carried(SyncFixture f) {
    return SyncFixture.rows(
        f.dev, "SELECT id, name, price, active, note FROM services ORDER BY id");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("sync: apply then revert restores the exact previous rows")
  void applyThenRevert(DatabaseKind kind) throws Exception {
    try (SyncFixture f = fixture(kind, dir)) {
      List<List<String>> prodBefore = SyncFixture.rows(f.prod, SELECT);

      Sync.Result r = f.sync().run(Sync.Request.dryRun("dev", "prod", "services").applying());

      Sync.Applied a = r.applied().orElseThrow();
      assertThat(a.counts().get("services")).containsExactly(1L, 2L, 1L);
      assertThat(a.changes()).isEqualTo(4);
      assertThat(
              SyncFixture.rows(
                  f.prod, "SELECT id, name, price, active, note FROM services ORDER BY id"))
          .isEqualTo(carried(f));
      // a column outside the contract is never written
      assertThat(SyncFixture.rows(f.prod, "SELECT internal FROM services WHERE id = 2"))
          .containsExactly(List.of("prod 2"));

      // the backup was taken and hashed
      assertThat(a.backup().file()).exists();
      assertThat(a.backup().file().startsWith(dir.resolve("state/backups/sync"))).isTrue();
      byte[] dump = Files.readAllBytes(a.backup().file());
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(dump)))
          .isEqualTo(a.backup().sha256());
      assertThat(new String(dump, java.nio.charset.StandardCharsets.ISO_8859_1))
          .contains(f.pg() ? "PGDMP" : "CREATE TABLE `services`");

      // the run and every before-image are in the audit, the chain intact
      try (Connection c = f.prod.connect()) {
        assertThat(AuditLog.verify(c, Optional.empty()).intact()).isTrue();
        AuditLog.Entry e = AuditLog.read(c, 1).get(0);
        assertThat(e.command()).isEqualTo("sync");
        assertThat(e.runId()).isEqualTo(a.runId());
        assertThat(e.outcome()).isEqualTo("applied");
        JsonNode d = ChangeLog.JSON.readTree(e.details());
        assertThat(d.path("changes").asLong()).isEqualTo(4);
        assertThat(d.path("changes_sha256").asText()).isEqualTo(a.changesSha256());
        assertThat(d.path("backup_sha256").asText()).isEqualTo(a.backup().sha256());
        assertThat(d.path("contract_sha256").asText()).isEqualTo(f.loadContract().sha256());
        assertThat(d.path("tables").path("services").path("delete").asLong()).isEqualTo(1);
      }
      assertThat(
              SyncFixture.rows(
                  f.prod,
                  "SELECT op, row_key, before_image FROM prodguard_sync_change WHERE run_id = '"
                      + a.runId()
                      + "' ORDER BY seq"))
          .hasSize(4)
          .first()
          .satisfies(
              row -> {
                assertThat(row.get(0)).isEqualTo("delete");
                assertThat(row.get(1)).isEqualTo("{\"id\":\"9\"}");
                assertThat(row.get(2)).contains("\"name\":\"Old\"", "\"note\":\"gone\"");
              });

      Sync.Applied undo = f.sync().revert(a.runId(), "prod");

      assertThat(SyncFixture.rows(f.prod, SELECT)).isEqualTo(prodBefore);
      assertThat(undo.counts().get("services")).containsExactly(1L, 2L, 1L);
      try (Connection c = f.prod.connect()) {
        assertThat(AuditLog.verify(c, Optional.empty()).intact()).isTrue();
        AuditLog.Entry e = AuditLog.read(c, 1).get(0);
        assertThat(e.command()).isEqualTo("sync --revert");
        assertThat(e.outcome()).isEqualTo("applied");
        assertThat(e.details()).contains("\"reverts\":\"" + a.runId() + "\"");
      }

      SyncRefusal again =
          catchThrowableOfType(() -> f.sync().revert(a.runId(), "prod"), SyncRefusal.class);
      assertThat(again.why()).contains("already reverted");
      assertThat(SyncFixture.rows(f.prod, SELECT)).isEqualTo(prodBefore);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("sync: revert refuses when a row changed since the sync, and writes nothing")
  void revertRefusesChangedRow(DatabaseKind kind) throws Exception {
    try (SyncFixture f = fixture(kind, dir)) {
      Sync.Applied a =
          f.sync()
              .run(Sync.Request.dryRun("dev", "prod", "services").applying())
              .applied()
              .orElseThrow();
      f.prod.execute("UPDATE services SET price = 99.99 WHERE id = 3");
      List<List<String>> after = SyncFixture.rows(f.prod, SELECT);

      SyncRefusal r =
          catchThrowableOfType(() -> f.sync().revert(a.runId(), "prod"), SyncRefusal.class);

      assertThat(r.guarantee()).isEqualTo(Guarantee.G4);
      assertThat(r.why()).contains("row id=3", "changed after the sync", "'99.99'");
      assertThat(SyncFixture.rows(f.prod, SELECT)).isEqualTo(after);
      try (Connection c = f.prod.connect()) {
        AuditLog.Entry e = AuditLog.read(c, 1).get(0);
        assertThat(e.command()).isEqualTo("sync --revert");
        assertThat(e.outcome()).isEqualTo("refused");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: revert refuses when the stored before-images were edited")
  void revertRefusesEditedBeforeImages(DatabaseKind kind) throws Exception {
    try (SyncFixture f = fixture(kind, dir)) {
      Sync.Applied a =
          f.sync()
              .run(Sync.Request.dryRun("dev", "prod", "services").applying())
              .applied()
              .orElseThrow();
      f.prod.execute(
          "UPDATE prodguard_sync_change SET before_image = REPLACE(before_image, 'Old', 'Forged')"
              + " WHERE op = 'delete'");
      List<List<String>> after = SyncFixture.rows(f.prod, SELECT);

      SyncRefusal r =
          catchThrowableOfType(() -> f.sync().revert(a.runId(), "prod"), SyncRefusal.class);

      assertThat(r.guarantee()).isEqualTo(Guarantee.G10);
      assertThat(r.why()).contains("before-images were altered");
      assertThat(SyncFixture.rows(f.prod, SELECT)).isEqualTo(after);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: revert of a run the audit does not record is refused")
  void revertUnknownRun(DatabaseKind kind) throws Exception {
    try (SyncFixture f = fixture(kind, dir)) {
      SyncRefusal r =
          catchThrowableOfType(
              () -> f.sync().revert("sync-20200101T000000Z-000000", "prod"), SyncRefusal.class);
      assertThat(r.guarantee()).isEqualTo(Guarantee.G10);
      assertThat(r.why()).contains("records no applied sync run");
    }
  }
}
