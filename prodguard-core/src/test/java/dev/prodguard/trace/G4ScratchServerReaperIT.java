package dev.prodguard.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodguard.db.DatabaseKind;
import dev.prodguard.support.DatabaseSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * G4 sandbox hygiene (attack23 finding 07): a trace whose JVM is killed hard runs no shutdown hook,
 * and its embedded PostgreSQL went on running for ever with the copy of the target's schema. The
 * next trace reaps the servers whose owner JVM is gone, and only those.
 */
@DisplayName("G4: an embedded scratch server whose JVM died is reaped by the next trace")
class G4ScratchServerReaperIT {
  private static final int MAJOR = 15;

  @Test
  @DisplayName(
      "G4: the server of a dead owner is stopped and its directory deleted; a live owner's server"
          + " and a directory without an owner record are left alone")
  void orphanReapedLiveLeftAlone() throws Exception {
    DatabaseSupport d = DatabaseSupport.of(DatabaseKind.POSTGRESQL);
    Path cache =
        PostgresBinaries.cacheDirectory(
            Map.of(
                "XDG_CACHE_HOME", Path.of(System.getProperty("user.home"), ".cache").toString()));
    Path binaries = PostgresBinaries.resolve(MAJOR, PostgresBinaries.MAVEN_CENTRAL, cache);
    try (EmbeddedScratchServer live = EmbeddedScratchServer.start(binaries, MAJOR, d);
        EmbeddedScratchServer orphan = EmbeddedScratchServer.start(binaries, MAJOR, d)) {
      Path orphanDir = directoryOf(orphan);
      Path liveDir = directoryOf(live);
      long serverPid = serverPid(orphanDir);
      assertThat(ProcessHandle.of(serverPid)).isPresent();
      // the owner JVM of the orphan is gone: its record names a process that has ended
      Process gone = new ProcessBuilder("true").start();
      assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
      Files.writeString(
          orphanDir.resolve(ScratchServerReaper.OWNER),
          gone.pid() + " 2000-01-01T00:00:00Z\n",
          StandardCharsets.UTF_8);
      Path unowned = Files.createTempDirectory(orphanDir.getParent(), ScratchServerReaper.PREFIX);
      try {
        assertThat(ScratchServerReaper.reap(orphanDir.getParent())).contains(orphanDir);

        assertThat(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false))
            .as("the orphaned server still runs")
            .isFalse();
        assertThat(orphanDir).doesNotExist();
        assertThat(liveDir).isDirectory();
        assertThat(ProcessHandle.of(serverPid(liveDir)).map(ProcessHandle::isAlive)).contains(true);
        assertThat(unowned).isDirectory();
      } finally {
        Files.deleteIfExists(unowned);
      }
    }
  }

  private static Path directoryOf(EmbeddedScratchServer s) throws Exception {
    java.lang.reflect.Field f = EmbeddedScratchServer.class.getDeclaredField("dir");
    f.setAccessible(true);
    return (Path) f.get(s);
  }

  private static long serverPid(Path dir) throws Exception {
    return Long.parseLong(
        Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).get(0).strip());
  }
}
