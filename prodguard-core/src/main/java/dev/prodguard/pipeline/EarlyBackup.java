package dev.prodguard.pipeline;

import dev.prodguard.backup.BackupRunner;
import dev.prodguard.db.Progress;
import dev.prodguard.environment.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * G7, G9 inside {@code promote}: the work of the backup, never its record, started early. Once
 * verify has read a pending set that is not empty (its guards and the drift check passed), the dump
 * for the backup runs beside verify's analysis, on a fingerprint-checked connection of its own (G2)
 * and the dump tool, into a provisional file of the backup directory. The backup step {@link
 * #adopt}s it only after verify passed and recorded its run, and then checks it as its own dump
 * (the pending set read again, the run's state) before it records anything; until then nothing in
 * the target says a backup exists. When verify refuses, a later check fails, or promote ends
 * otherwise, {@link #discard} stops the dump tool and deletes the file; a JVM stopped meanwhile
 * (Ctrl-C) deletes it from a shutdown hook. Never with a restore check (it compares row counts at a
 * snapshot of its own, under the backup step): that backup runs in the step, as before; nor in a
 * fleet rollout ({@link Pipeline#backupInItsStep}: the dump would overlap nothing there and cost a
 * session of its own per target).
 */
final class EarlyBackup {
  private final BackupRunner runner;
  private final Path directory;
  private final String provisional;
  private final CompletableFuture<BackupRunner.Result> result = new CompletableFuture<>();
  private final Thread hook;
  private boolean adopted;

  private EarlyBackup(BackupRunner runner, Path directory, String provisional) {
    this.runner = runner;
    this.directory = directory;
    this.provisional = provisional;
    this.hook = new Thread(this::stopAndDelete, "prodguard-early-backup-discard");
  }

  /** Starts the dump of {@code target} for promote's backup; empty when the backup has to wait. */
  static Optional<EarlyBackup> start(StepContext s, Target target, String env) {
    if (s.promote.isEmpty()
        || !s.promote.get().earlyBackupAllowed()
        || s.config.backup().restoreCheck()) {
      return Optional.empty();
    }
    String name =
        env + "-early-" + HexFormat.of().formatHex(StepContext.randomBytes(6)) + "-provisional";
    EarlyBackup early =
        new EarlyBackup(
            new BackupRunner(target, s.context, Progress.NONE),
            s.config.backup().directory(),
            name);
    Runtime.getRuntime().addShutdownHook(early.hook);
    Thread t =
        new Thread(
            () -> {
              try (Target.Checked c = target.open()) {
                early.result.complete(
                    early.runner.run(c.connection(), early.directory, early.provisional, false));
              } catch (Throwable e) {
                early.result.completeExceptionally(e);
              }
            },
            "prodguard-early-backup");
    t.setDaemon(true);
    t.start();
    return Optional.of(early);
  }

  /**
   * The finished dump under the run's name ({@code baseName} plus the tool's extension), as {@link
   * BackupRunner#run} returns it; the dump's refusal or failure is thrown here, as if it had run
   * now.
   */
  BackupRunner.Result adopt(String baseName)
      throws SQLException, IOException, InterruptedException {
    BackupRunner.Result r;
    try {
      r = result.get();
    } catch (InterruptedException e) {
      discard(); // taken from the session: nobody else discards it
      throw e;
    } catch (ExecutionException e) {
      synchronized (this) {
        adopted = true; // the dump failed: the runner deleted its file
      }
      removeHook();
      Throwable c = e.getCause();
      if (c instanceof SQLException x) {
        throw x;
      }
      if (c instanceof IOException x) {
        throw x;
      }
      if (c instanceof InterruptedException x) {
        throw x;
      }
      if (c instanceof RuntimeException x) {
        throw x;
      }
      if (c instanceof Error x) {
        throw x;
      }
      throw new IllegalStateException(c);
    }
    BackupRunner.Result moved;
    try {
      moved = runner.renamed(r, provisional, baseName);
    } finally {
      synchronized (this) {
        adopted = true; // moved, or deleted by the failed move: nothing left to discard
      }
      removeHook();
    }
    return moved;
  }

  /**
   * promote ends: a dump not adopted is stopped and its file deleted (waiting for the dump tool to
   * go, so no file appears afterwards).
   */
  void discard() {
    synchronized (this) {
      if (adopted) {
        return;
      }
    }
    runner.cancel();
    try {
      result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // a refusal nobody reads: the dump is not used
    }
    stopAndDelete();
    removeHook();
  }

  /**
   * Stops the dump tool, waits a little for the runner to notice (a dump that had already finished
   * may be moving its file into place), then deletes every file of the provisional name.
   */
  private void stopAndDelete() {
    synchronized (this) {
      if (adopted) {
        return;
      }
    }
    runner.cancel();
    try {
      result.get(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // stopped, failed or still going: its files go below either way
    }
    try (var files = Files.newDirectoryStream(directory, provisional + "*")) {
      for (Path p : files) {
        deleteQuietly(p);
      }
    } catch (IOException | RuntimeException e) {
      // no directory (nothing was written), or gone
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a provisional file, recorded nowhere and never used
    }
  }

  private void removeHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // shutting down (the hook runs), or removed already
    }
  }
}
