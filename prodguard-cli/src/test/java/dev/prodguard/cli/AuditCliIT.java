package dev.prodguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The audit commands through the real jar. */
@DisplayName("CLI end to end: audit and audit verify")
class AuditCliIT {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(DatabaseKind.class)
  @DisplayName("G10: init-fingerprint is audited; audit verify exits 0, then 1 after an edit")
  void auditTrail(DatabaseKind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind)) {
      Files.writeString(
          dir.resolve("prodguard.yml"), "environments:\n  dev:\n    url: ${DEV_DATABASE_URL}\n");
      Map<String, String> env = Map.of("DEV_DATABASE_URL", db.libpqUrl());
      assertThat(Cli.run(dir, env, "init-fingerprint", "dev", "--write-config").exit()).isZero();
      Cli.Result second = Cli.run(dir, env, "init-fingerprint", "dev");
      assertThat(second.exit()).isZero();
      // G10: the head it appended is printed for the CI log, on stderr
      assertThat(second.err()).contains("audit head of 'dev' is now 2:", "--expect-head 2:");

      Cli.Result show = Cli.run(dir, env, "audit", "dev");
      assertThat(show.exit()).as(show.all()).isZero();
      assertThat(show.out()).contains("init-fingerprint", "created", "unchanged");

      Cli.Result ok = Cli.run(dir, env, "audit", "verify", "dev");
      assertThat(ok.exit()).as(ok.all()).isZero();
      assertThat(ok.out()).contains("intact: 2 rows");
      String head = ok.out().replaceAll("(?s).*head: (\\S+).*", "$1");

      if (kind == DatabaseKind.POSTGRESQL) {
        db.execute("ALTER TABLE prodguard_audit DISABLE TRIGGER USER");
      } else {
        db.execute(
            "DROP TRIGGER prodguard_audit_no_update", "DROP TRIGGER prodguard_audit_no_delete");
      }
      db.execute("DELETE FROM prodguard_audit WHERE seq = 2");
      Cli.Result tail = Cli.run(dir, env, "audit", "verify", "dev", "--expect-head", head);
      assertThat(tail.exit()).isEqualTo(1);
      assertThat(tail.err()).contains("G10 tamper-evident audit", "newest rows deleted");

      db.execute("UPDATE prodguard_audit SET outcome = 'forged' WHERE seq = 1");
      Cli.Result broken = Cli.run(dir, env, "audit", "verify", "dev", "--format", "json");
      assertThat(broken.exit()).isEqualTo(1);
      assertThat(broken.out()).contains("\"intact\" : false", "row 1 was edited");
    }
  }
}
