package dev.prodguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G9: the targets of a fleet rollout back up at once into one backup directory. When it did not
 * exist yet, the targets that lost the race to create it were refused ("backups exists and is not a
 * directory", found by hfleet20 in a 40-target rollout: a refused canary halted the rollout). The
 * directory is still checked as private after it was created by another thread.
 */
@DisplayName("G9: targets backing up at once into a new backup directory all get it")
class G9BackupDirectoryRaceTest {
  @TempDir Path tmp;

  @Test
  @DisplayName("many threads ensure one missing directory at once: none fails, it is owner-only")
  void concurrentCreation() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 200; round++) {
        Path dir = tmp.resolve("r" + round).resolve("backups");
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Path>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          all.add(
              pool.submit(
                  () -> {
                    go.await();
                    return PrivateDirectory.ensure(dir);
                  }));
        }
        go.countDown();
        for (Future<Path> f : all) {
          assertThat(f.get()).isEqualTo(dir.toAbsolutePath().normalize());
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
            .isEqualTo("rwx------");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
