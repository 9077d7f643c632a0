package dev.prodguard.backup;

import dev.prodguard.config.PrivateDirectory;
import dev.prodguard.db.Guarantee;
import dev.prodguard.db.GuardRefusal;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * G9: the backup directory or file cannot be written (missing and not creatable, read-only, full,
 * not a directory, no permission). An expected condition, not a crash: refused on one screen naming
 * the path and what the file system said, never a Java exception name. Nothing is recorded.
 */
final class BackupWriteFailure {
  private BackupWriteFailure() {}

  /**
   * @param action what prodguard was doing, e.g. "create the backup directory"
   * @param path the directory or file it was doing it to
   */
  static GuardRefusal refusal(String environment, String action, Path path, IOException e) {
    String said = reason(e);
    if (e instanceof PrivateDirectory.NotPrivate np) {
      return new GuardRefusal(
          Guarantee.G9,
          "back up '" + environment + "'",
          "the backup directory " + np.getFile() + " is not private: " + said,
          np.fix() + "; then run the backup again (nothing was recorded)",
          e);
    }
    return new GuardRefusal(
        Guarantee.G9,
        "back up '" + environment + "'",
        "cannot " + action + " " + path.toAbsolutePath() + ": " + said,
        fix(said) + "; then run the backup again (nothing was recorded)",
        e);
  }

  /** What the file system said, in its own words where it gave them. */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException n) {
      return (n.getFile() == null ? "a folder on the way" : n.getFile()) + " does not exist";
    }
    if (e instanceof FileAlreadyExistsException f) {
      return (f.getFile() == null ? "a part of the path" : f.getFile())
          + " exists and is not a directory";
    }
    if (e instanceof NotDirectoryException n) {
      return n.getFile() + " is not a directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? "input/output error" : m;
  }

  private static String fix(String reason) {
    String r = reason.toLowerCase(Locale.ROOT);
    if (r.contains("no space") || r.contains("quota")) {
      return "free space there (a dump needs about the database's size) or point"
          + " backup.directory at a larger volume";
    }
    if (r.contains("read-only")) {
      return "point backup.directory at a writable volume (it is mounted read-only)";
    }
    if (r.contains("permission")) {
      return "give the CI user write access to it, or point backup.directory elsewhere";
    }
    return "make backup.directory in prodguard.yml a writable directory (prodguard creates it"
        + " when its parent is writable)";
  }
}
