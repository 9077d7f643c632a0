package dev.prodguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G9/G10 (attacker's finding 8): a state or backup directory another local user can change is
 * refused, not used as is. Before the fix a folder of mode 0777 was written into silently.
 */
@DisplayName("G9/G10: the state and backup directories must be private")
class PrivateDirectoryTest {
  @TempDir Path tmp;

  private static Path mode(Path p, String perms) throws Exception {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    return p;
  }

  @Test
  @DisplayName("missing folders are created owner-only, each of them")
  void createsOwnerOnly() throws Exception {
    Path dir = tmp.resolve("a/b/c");
    PrivateDirectory.ensure(dir);
    for (Path p : new Path[] {tmp.resolve("a"), tmp.resolve("a/b"), dir}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .as(p.toString())
          .isEqualTo("rwx------");
    }
  }

  @Test
  @DisplayName("an existing 0700 or 0755 folder is fine, also below the sticky /tmp")
  void privateIsFine() throws Exception {
    PrivateDirectory.ensure(mode(Files.createDirectory(tmp.resolve("p")), "rwx------"));
    PrivateDirectory.ensure(mode(Files.createDirectory(tmp.resolve("r")), "rwxr-xr-x"));
  }

  @Test
  @DisplayName("writable by others, by the group, or sticky-but-shared: refused, naming the mode")
  void sharedRefused() throws Exception {
    for (String perms : new String[] {"rwxrwxrwx", "rwxrwxr-x", "rwx-w----"}) {
      Path d = mode(Files.createDirectory(tmp.resolve("d" + perms.hashCode())), perms);
      assertThatThrownBy(() -> PrivateDirectory.ensure(d))
          .as(perms)
          .isInstanceOf(PrivateDirectory.NotPrivate.class)
          .hasMessageContaining(d.toString())
          .hasMessageContaining("other users can write to it");
    }
    Path sticky = Files.createDirectory(tmp.resolve("sticky"));
    assertThat(new ProcessBuilder("chmod", "1777", sticky.toString()).start().waitFor()).isZero();
    assertThatThrownBy(() -> PrivateDirectory.ensure(sticky))
        .isInstanceOf(PrivateDirectory.NotPrivate.class)
        .hasMessageContaining("mode 1777");
  }

  @Test
  @DisplayName("a private folder inside a folder anyone can write (no sticky bit): refused")
  void openParentRefused() throws Exception {
    Path open = mode(Files.createDirectory(tmp.resolve("open")), "rwxrwxrwx");
    Path inner = mode(Files.createDirectory(open.resolve("state")), "rwx------");
    assertThatThrownBy(() -> PrivateDirectory.ensure(inner))
        .isInstanceOf(PrivateDirectory.NotPrivate.class)
        .hasMessageContaining("without the sticky bit");
    assertThatThrownBy(() -> PrivateDirectory.ensure(open.resolve("new/state")))
        .as("not even a folder it would create there")
        .isInstanceOf(PrivateDirectory.NotPrivate.class);
  }

  @Test
  @DisplayName("a folder owned by another user: refused (the test runs as root, as scripts/test)")
  void otherOwnerRefused() throws Exception {
    Path d = mode(Files.createDirectory(tmp.resolve("theirs")), "rwx------");
    Process chown = new ProcessBuilder("chown", "nobody", d.toString()).start();
    assertThat(chown.waitFor()).as("chown needs root, as scripts/test runs the tests").isZero();
    assertThatThrownBy(() -> PrivateDirectory.ensure(d))
        .isInstanceOf(PrivateDirectory.NotPrivate.class)
        .hasMessageContaining("owned by 'nobody'");
  }
}
