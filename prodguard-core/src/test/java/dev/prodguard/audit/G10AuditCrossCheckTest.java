package dev.prodguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.RunContext;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * G10 without a recorded head: the chain is checked against what prodguard_run records, so a forger
 * who deletes every audit row, or the newest ones, is caught by {@code audit verify} alone. The
 * runs and their audit rows are written as the pipeline writes them (run row, then one audit row
 * per step with the run's id).
 */
@DisplayName("G10 audit cross-checked against prodguard_run")
class G10AuditCrossCheckTest {
  private static final RunContext CTX = RunContext.of(Map.of());

  private static void disableAppendOnly(TestDatabase db) {
    if (db.kind() == DatabaseKind.POSTGRESQL) {
      db.execute("ALTER TABLE prodguard_audit DISABLE TRIGGER USER");
    } else {
      db.execute(
          "DROP TRIGGER prodguard_audit_no_update", "DROP TRIGGER prodguard_audit_no_delete");
    }
  }

  private static void step(Connection c, DatabaseSupport d, String command, String run, String out)
      throws SQLException {
    AuditLog.append(
        c,
        d,
        CTX,
        Optional.empty(),
        new AuditLog.Event(
            command + " prod",
            "prod",
            Optional.of(run),
            Optional.of("a".repeat(64)),
            out,
            Map.of()));
  }

  /** A refusal, a run verified, backed up and deployed, a second run verified, another refusal. */
  private static void history(TestDatabase db, Connection c, DatabaseSupport d)
      throws SQLException {
    AuditLog.install(c, d);
    AuditLog.append(
        c, d, CTX, Optional.empty(), AuditLog.Event.of("deploy prod", "prod", "refused", Map.of()));
    insertRun(db, "run-1", "verified", "2026-01-01 10:00:00");
    step(c, d, "verify", "run-1", "verified");
    db.execute(
        "UPDATE prodguard_run SET status = 'backed_up', backup_path = '/b/1.dump' WHERE id = 'run-1'");
    step(c, d, "backup", "run-1", "backed_up");
    db.execute("UPDATE prodguard_run SET status = 'deployed' WHERE id = 'run-1'");
    step(c, d, "deploy", "run-1", "deployed");
    insertRun(db, "run-2", "verified", "2026-01-02 10:00:00");
    step(c, d, "verify", "run-2", "verified");
    db.execute(
        "UPDATE prodguard_run SET status = 'backed_up', backup_path = '/b/2.dump' WHERE id = 'run-2'");
    step(c, d, "backup", "run-2", "backed_up");
    db.execute("UPDATE prodguard_run SET status = 'deployed' WHERE id = 'run-2'");
    step(c, d, "deploy", "run-2", "deployed");
  }

  private static void insertRun(TestDatabase db, String id, String status, String at) {
    db.execute(
        "INSERT INTO prodguard_run (id, environment, status, migration_set_sha256,"
            + " migration_count, migrations, ci_subject, created_by, created_at, verified_at,"
            + " verification_expires_at, expires_at, updated_at) VALUES ('"
            + id
            + "', 'prod', '"
            + status
            + "', '"
            + "a".repeat(64)
            + "', 1, 'V1__a.sql', 'ci', 'ci@runner', TIMESTAMP '"
            + at
            + "', TIMESTAMP '"
            + at
            + "', TIMESTAMP '"
            + at
            + "', TIMESTAMP '"
            + at
            + "', TIMESTAMP '"
            + at
            + "')");
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: an untouched history with runs verifies intact")
  void intact(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      history(db, c, DatabaseSupport.of(c));
      AuditLog.Verification v = AuditLog.verify(c, Optional.empty());
      assertThat(v.intact()).as(v.toString()).isTrue();
      assertThat(v.rows()).isEqualTo(7);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: every audit row deleted is caught without --expect-head (runs remain)")
  void allRowsDeleted(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      history(db, c, DatabaseSupport.of(c));
      disableAppendOnly(db);
      db.execute("DELETE FROM prodguard_audit");
      AuditLog.Verification v = AuditLog.verify(c, Optional.empty());
      assertThat(v.intact()).isFalse();
      assertThat(v.rows()).isZero();
      assertThat(v.firstBreak().orElseThrow().problem())
          .contains("run run-1")
          .contains("no audit row at all");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName(
      "G10: the newest rows truncated (the last deploy, or the last run's backup and deploy) are"
          + " caught without --expect-head")
  void newestRowsTruncated(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      history(db, c, DatabaseSupport.of(c));
      disableAppendOnly(db);
      db.execute("DELETE FROM prodguard_audit WHERE seq = 7");
      AuditLog.Verification v = AuditLog.verify(c, Optional.empty());
      assertThat(v.intact()).isFalse();
      assertThat(v.firstBreak().orElseThrow().problem())
          .contains("run run-2")
          .contains("deployed but has no audit row for its deploy");
      assertThat(v.firstBreak().orElseThrow().seq()).isEqualTo(7);

      db.execute("DELETE FROM prodguard_audit WHERE seq >= 5");
      AuditLog.Verification w = AuditLog.verify(c, Optional.empty());
      assertThat(w.firstBreak().orElseThrow().problem())
          .contains("run run-2")
          .contains("no audit row at all");

      db.execute("DELETE FROM prodguard_audit WHERE seq = 4");
      AuditLog.Verification x = AuditLog.verify(c, Optional.empty());
      assertThat(x.firstBreak().orElseThrow().problem())
          .contains("run run-1")
          .contains("deployed but has no audit row for its deploy");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: the head each step appends is known to the process, for the CI log")
  void appendedHeads(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      AuditLog.forgetHeads();
      history(db, c, DatabaseSupport.of(c));
      AuditLog.Entry head = AuditLog.appendedHeads().get("prod");
      assertThat(head.seq()).isEqualTo(7);
      assertThat(AuditLog.headLine("prod", head))
          .contains("7:" + head.hash())
          .contains("--expect-head 7:" + head.hash());
      assertThat(AuditLog.verify(c, Optional.of("7:" + head.hash())).intact()).isTrue();
    }
  }
}
