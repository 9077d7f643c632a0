package dev.prodguard.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import dev.prodguard.db.RunContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G10 (attacker's finding 8): the local audit log is not kept where another user can rewrite or
 * redirect it. Before the fix it was appended to in a 0777 folder and through a symbolic link.
 */
@DisplayName("G10: the local audit log lives only in a private state directory")
class G10LocalAuditLogTest {
  @TempDir Path tmp;

  @Test
  @DisplayName("a new state directory is created 0700 and the log 0600")
  void createsPrivate() throws Exception {
    Path state = tmp.resolve("state");
    LocalAuditLog log = new LocalAuditLog(state.resolve("audit.jsonl"));
    log.append(RunContext.system(), "promote prod", "prod", "refused", Map.of("k", "v"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state)))
        .isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log.file())))
        .isEqualTo("rw-------");
    assertThat(Files.readString(log.file())).contains("\"outcome\":\"refused\"");
  }

  @Test
  @DisplayName("a state directory any user can write: G10 refusal, nothing written")
  void sharedStateRefused() throws Exception {
    Path state = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
    LocalAuditLog log = new LocalAuditLog(state.resolve("audit.jsonl"));
    assertThatThrownBy(
            () -> log.append(RunContext.system(), "promote prod", "prod", "refused", Map.of()))
        .isInstanceOfSatisfying(
            GuardRefusal.class,
            r -> {
              assertThat(r.guarantee()).isEqualTo(Guarantee.G10);
              assertThat(r.why()).contains(state.toString(), "mode 0777");
              assertThat(r.fix()).contains("chmod 700", "state-directory");
            });
    assertThat(Files.exists(log.file())).isFalse();
  }

  @Test
  @DisplayName("the log replaced by a symbolic link: refused, the link's target untouched")
  void symlinkRefused() throws Exception {
    Path state = Files.createDirectory(tmp.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    Path elsewhere = Files.writeString(tmp.resolve("elsewhere"), "");
    Files.createSymbolicLink(state.resolve("audit.jsonl"), elsewhere);
    LocalAuditLog log = new LocalAuditLog(state.resolve("audit.jsonl"));
    assertThatThrownBy(
            () -> log.append(RunContext.system(), "promote prod", "prod", "refused", Map.of()))
        .isInstanceOf(GuardRefusal.class)
        .hasMessageContaining("symbolic link");
    assertThat(Files.readString(elsewhere)).isEmpty();
  }

  @Test
  @DisplayName("a refused command line's URL passwords and tokens are masked (attacker 25/05)")
  void commandLineRedacted() throws Exception {
    Path state = tmp.resolve("state");
    LocalAuditLog log = new LocalAuditLog(state.resolve("audit.jsonl"));
    log.append(
        RunContext.system(),
        "trace prod --scratch-url postgresql://scratch:Sup3rS3cretScratchPw@127.0.0.1:5432/postgres"
            + " --url jdbc:postgresql://db/app?user=app&password=An0therSecretPw",
        "prod",
        "refused",
        Map.of());
    String written = Files.readString(log.file());
    assertThat(written)
        .doesNotContain("Sup3rS3cretScratchPw", "An0therSecretPw")
        .contains("trace prod --scratch-url postgresql://scratch:***@127.0.0.1:5432/postgres");
  }
}
