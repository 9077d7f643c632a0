package dev.prodguard.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.db.RunContext;
import dev.prodguard.support.DatabaseSupport;
import dev.prodguard.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** G10 attacked the way someone with table rights would: edit, delete, swap, truncate the tail. */
@DisplayName("G10 tamper-evident audit")
class G10AuditIT {
  private static final RunContext CTX = RunContext.of(Map.of());

  private static void appendFive(Connection c, DatabaseSupport d) throws SQLException {
    AuditLog.install(c, d);
    for (int i = 1; i <= 5; i++) {
      AuditLog.append(
          c,
          d,
          CTX,
          Optional.empty(),
          AuditLog.Event.of("deploy", "prod", i % 2 == 0 ? "ok" : "refused", Map.of("step", i)));
    }
  }

  /** What an attacker with owner rights does first: switch the append-only triggers off. */
  private static void disableAppendOnly(TestDatabase db) {
    if (db.kind() == DatabaseKind.POSTGRESQL) {
      db.execute("ALTER TABLE prodguard_audit DISABLE TRIGGER USER");
    } else {
      db.execute(
          "DROP TRIGGER prodguard_audit_no_update", "DROP TRIGGER prodguard_audit_no_delete");
    }
  }

  private static AuditLog.Verification verify(TestDatabase db, Optional<String> head)
      throws SQLException {
    try (Connection c = db.connect()) {
      return AuditLog.verify(c, head);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: an untouched chain verifies, and installing twice changes nothing")
  void intactChain(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      DatabaseSupport d = DatabaseSupport.of(c);
      appendFive(c, d);
      AuditLog.install(c, d);
      AuditLog.Verification v = AuditLog.verify(c, Optional.empty());
      assertThat(v.intact()).isTrue();
      assertThat(v.rows()).isEqualTo(5);
      assertThat(v.head().orElseThrow().seq()).isEqualTo(5);
      assertThat(AuditLog.read(c, 2)).extracting(AuditLog.Entry::seq).containsExactly(4L, 5L);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: the database refuses UPDATE and DELETE on the audit table")
  void appendOnlyInTheDatabase(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      appendFive(c, DatabaseSupport.of(c));
      assertThatThrownBy(
              () -> db.execute("UPDATE prodguard_audit SET outcome = 'ok' WHERE seq = 3"))
          .hasMessageContaining("append-only");
      assertThatThrownBy(() -> db.execute("DELETE FROM prodguard_audit WHERE seq = 3"))
          .hasMessageContaining("append-only");
      if (kind == DatabaseKind.POSTGRESQL) {
        assertThatThrownBy(() -> db.execute("TRUNCATE prodguard_audit"))
            .hasMessageContaining("append-only");
      }
      assertThat(AuditLog.verify(c, Optional.empty()).intact()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: audit verify catches an edited row and names it")
  void editedRow(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      appendFive(c, DatabaseSupport.of(c));
      disableAppendOnly(db);
      db.execute("UPDATE prodguard_audit SET outcome = 'ok' WHERE seq = 3");
      AuditLog.Verification v = verify(db, Optional.empty());
      assertThat(v.intact()).isFalse();
      assertThat(v.firstBreak().orElseThrow().seq()).isEqualTo(3);
      assertThat(v.firstBreak().orElseThrow().problem()).contains("row 3 was edited");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: audit verify catches a deleted row")
  void deletedRow(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      appendFive(c, DatabaseSupport.of(c));
      disableAppendOnly(db);
      db.execute("DELETE FROM prodguard_audit WHERE seq = 2");
      AuditLog.Verification v = verify(db, Optional.empty());
      assertThat(v.firstBreak().orElseThrow().seq()).isEqualTo(3);
      assertThat(v.firstBreak().orElseThrow().problem())
          .contains("row 2 missing")
          .contains("deleted");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: audit verify catches a deleted row even when the sequence is renumbered")
  void deletedAndRenumbered(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      appendFive(c, DatabaseSupport.of(c));
      disableAppendOnly(db);
      db.execute(
          "DELETE FROM prodguard_audit WHERE seq = 2",
          "UPDATE prodguard_audit SET seq = seq - 1 WHERE seq > 2 ORDER BY seq"
              .replace(" ORDER BY seq", kind == DatabaseKind.MARIADB ? " ORDER BY seq" : ""));
      AuditLog.Verification v = verify(db, Optional.empty());
      assertThat(v.intact()).isFalse();
      assertThat(v.firstBreak().orElseThrow().seq()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: audit verify catches two swapped rows")
  void swappedRows(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      appendFive(c, DatabaseSupport.of(c));
      disableAppendOnly(db);
      // swap everything but the sequence numbers of rows 2 and 3
      db.execute(
          "UPDATE prodguard_audit SET seq = -2 WHERE seq = 2",
          "UPDATE prodguard_audit SET seq = 2 WHERE seq = 3",
          "UPDATE prodguard_audit SET seq = 3 WHERE seq = -2");
      AuditLog.Verification v = verify(db, Optional.empty());
      assertThat(v.firstBreak().orElseThrow().seq()).isEqualTo(2);
      assertThat(v.firstBreak().orElseThrow().problem()).contains("does not follow row 1");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: deleting the newest rows is caught against a recorded head")
  void truncatedTail(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      appendFive(c, DatabaseSupport.of(c));
      AuditLog.Entry head = AuditLog.verify(c, Optional.empty()).head().orElseThrow();
      String anchor = head.seq() + ":" + head.hash();
      assertThat(verify(db, Optional.of(anchor)).intact()).isTrue();
      disableAppendOnly(db);
      db.execute("DELETE FROM prodguard_audit WHERE seq >= 4");
      assertThat(verify(db, Optional.empty()).intact())
          .as("a chain alone cannot see this")
          .isTrue();
      AuditLog.Verification v = verify(db, Optional.of(anchor));
      assertThat(v.firstBreak().orElseThrow().problem()).contains("newest rows deleted");
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: concurrent writers keep one unbroken chain")
  void concurrentAppends(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      AuditLog.install(c, DatabaseSupport.of(c));
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<?>> jobs = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        jobs.add(
            pool.submit(
                () -> {
                  try (Connection own = db.connect()) {
                    DatabaseSupport d = DatabaseSupport.of(own);
                    for (int i = 0; i < 15; i++) {
                      AuditLog.append(
                          own,
                          d,
                          CTX,
                          Optional.empty(),
                          AuditLog.Event.of("verify", "prod", "ok", Map.of("i", i)));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : jobs) {
        f.get();
      }
      pool.shutdown();
      AuditLog.Verification v = AuditLog.verify(c, Optional.empty());
      assertThat(v.rows()).isEqualTo(45);
      assertThat(v.intact()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: details never carry a password")
  void detailsRedacted(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind);
        Connection c = db.connect()) {
      DatabaseSupport d = DatabaseSupport.of(c);
      AuditLog.install(c, d);
      AuditLog.append(
          c,
          d,
          CTX,
          Optional.empty(),
          AuditLog.Event.of(
              "check", "dev", "refused", Map.of("url", "postgresql://u:pa55-w0rd@h/db")));
      assertThat(AuditLog.read(c, 0).get(0).details()).doesNotContain("pa55-w0rd").contains("***");
    }
  }
}
